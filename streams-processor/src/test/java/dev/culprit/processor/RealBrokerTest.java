package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor against a real (embedded, KRaft) broker: the seed's samples are produced to the
 * sample topics, and the same four causes the topology test driver gives are consumed from {@code
 * culprit.rootcause.packet-loss}, committed, with exactly-once processing; a poison record ends in
 * {@code culprit.deadletter}.
 */
class RealBrokerTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path stateDir;

  @Test
  void samplesProducedThroughKafkaGiveTheSeedsCausesOnTheResultTopic() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      ProcessorConfig config =
          ProcessorConfig.defaults(broker.bootstrapServers())
              .withApplicationId("culprit-real-broker-test")
              .withStateDir(stateDir);
      try (CulpritProcessor processor = new CulpritProcessor(config);
          ResultFeed<RootCause> causes =
              new ResultFeed<>(broker.bootstrapServers(), Topics.ROOTCAUSE_PACKET_LOSS, true);
          ResultFeed<DeadLetter> deadLetters =
              new ResultFeed<>(broker.bootstrapServers(), Topics.DEAD_LETTER, true);
          SampleProducer producer = new SampleProducer(broker)) {
        processor.start();

        SeedHost seed = new SeedHost(Scenario.cycle(0));
        producer.send(seed.cycle(Scenario.cycle(0), SeedHost.quiet()));
        producer
            .raw()
            .send(
                new ProducerRecord<>(
                    Topics.QDISC.name(),
                    SeedHost.HOST,
                    "garbage".getBytes(StandardCharsets.UTF_8)));
        producer.send(seed.cycle(Scenario.cycle(1), SeedHost.seed()));
        // The host's next sample, past window 1's end plus grace, closes that window.
        seed.factory().at(Scenario.closing(1));
        producer.send(List.of(seed.factory().protocol("", Map.of())));
        producer.flush();

        List<RootCause> got = pollUntil(causes::poll, 4);
        String expected =
            Files.readString(Path.of("src/test/resources/golden/seed-three-faults-at-once.jsonl"));
        assertThat(
                got.stream().map(c -> JsonRenderer.toJson(c) + "\n").collect(Collectors.joining()))
            .isEqualTo(expected);
        assertThat(pollUntil(deadLetters::poll, 1))
            .singleElement()
            .satisfies(d -> assertThat(d.getSourceTopic()).isEqualTo(Topics.QDISC.name()));
      }
    }
  }

  private static <T> List<T> pollUntil(
      java.util.function.Function<Duration, List<T>> poll, int count) {
    List<T> got = new ArrayList<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (got.size() < count && System.nanoTime() < deadline) {
      got.addAll(poll.apply(Duration.ofMillis(500)));
    }
    assertThat(got).as("records within %s", DEADLINE).hasSizeGreaterThanOrEqualTo(count);
    return got;
  }
}
