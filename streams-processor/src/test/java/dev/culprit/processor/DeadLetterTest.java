package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Poison records on every input topic go to {@code culprit.deadletter} with their coordinates and
 * reason, and the topology goes on judging the records after them.
 */
class DeadLetterTest {

  static Stream<Topic<?>> inputTopics() {
    return Stream.of(
        Topics.INTERFACE, Topics.PROTOCOL, Topics.CONNTRACK, Topics.QDISC, Topics.FILTER);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputTopics")
  void aPoisonRecordBecomesADeadLetterAndProcessingGoesOn(Topic<?> topic) {
    byte[] poison = "{\"host\":\"seed-vm\"} is JSON, not Avro".getBytes(StandardCharsets.UTF_8);
    try (TopologyHarness h = new TopologyHarness()) {
      SeedHost seed = new SeedHost(Scenario.cycle(0));
      h.pipe(array(seed.cycle(Scenario.cycle(0), SeedHost.quiet())));
      h.pipeRaw(topic, SeedHost.HOST, poison);
      h.pipe(array(seed.cycle(Scenario.cycle(1), SeedHost.seed())));
      h.advanceTo(Scenario.closing(1));

      List<DeadLetter> letters = h.deadLetters();
      assertThat(letters).hasSize(1);
      DeadLetter letter = letters.get(0);
      assertThat(letter.getSourceTopic()).isEqualTo(topic.name());
      assertThat(letter.getPartition()).isZero();
      assertThat(letter.getOffset()).isEqualTo(2); // after the host's and the pod's quiet sample
      assertThat(letter.getStage()).isEqualTo("decode");
      assertThat(letter.getReason()).contains("not Avro single-object encoding");
      assertThat(bytes(letter.getValue())).isEqualTo(poison);
      assertThat(new String(bytes(letter.getKey()), StandardCharsets.UTF_8))
          .isEqualTo(SeedHost.HOST);
      assertThat(h.causes()).as("the seed's four causes still come out").hasSize(4);
    }
  }

  @Test
  void aRecordOfAnUnknownSchemaVersionIsADeadLetterThatSaysSo() {
    byte[] valid =
        Topics.PROTOCOL
            .valueSerde()
            .encode(new SampleFactory("h", 1).protocol("", java.util.Map.of()));
    byte[] unknownFingerprint = valid.clone();
    unknownFingerprint[5] ^= 0x5a;
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipeRaw(Topics.PROTOCOL, "h", unknownFingerprint);
      assertThat(h.deadLetters())
          .singleElement()
          .satisfies(d -> assertThat(d.getReason()).contains("unknown schema"));
    }
  }

  @Test
  void aTruncatedRecordIsADeadLetter() {
    byte[] valid =
        Topics.INTERFACE
            .valueSerde()
            .encode(new SampleFactory("h", 1).interfaces("", SampleFactory.iface("eth0").build()));
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipeRaw(Topics.INTERFACE, "h", Arrays.copyOf(valid, valid.length / 2));
      assertThat(h.deadLetters())
          .singleElement()
          .satisfies(d -> assertThat(d.getStage()).isEqualTo("decode"));
    }
  }

  @Test
  void aSampleKeyedByAnotherHostIsRejectedBecauseItWouldBeJudgedWithThatHostsState() {
    byte[] sample =
        Topics.PROTOCOL
            .valueSerde()
            .encode(new SampleFactory("web-3", 1).protocol("", java.util.Map.of()));
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipeRaw(Topics.PROTOCOL, "web-4", sample);
      assertThat(h.deadLetters())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.getStage()).isEqualTo("validate");
                assertThat(d.getReason()).contains("\"web-4\"").contains("\"web-3\"");
              });
    }
  }

  @Test
  void aTombstoneIsADeadLetterNotACrash() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipeRaw(Topics.FILTER, "h", null);
      assertThat(h.deadLetters())
          .singleElement()
          .satisfies(d -> assertThat(d.getReason()).contains("tombstone"));
    }
  }

  private static SpecificRecord[] array(List<SpecificRecord> records) {
    return records.toArray(SpecificRecord[]::new);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
