package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A host whose clock jumped ahead must not blind the others: its samples become dead letters that
 * name it and the skew, and they move no stream time, so the windows of the hosts sharing its
 * partition still close on their own samples and give their causes.
 */
class ClockSkewTest {

  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  @Test
  void aSampleADayAheadIsADeadLetterNamingTheHostAndTheOtherHostsCausesStillComeOut() {
    try (TopologyHarness h = new TopologyHarness()) {
      SeedHost seed = new SeedHost(Scenario.cycle(0));
      h.pipe(array(seed.cycle(Scenario.cycle(0), SeedHost.quiet())));
      // Same topic and partition as the seed's protocol samples, a day ahead of the wall clock.
      SampleFactory jumped = new SampleFactory("jumped-host", System.currentTimeMillis() + DAY_MS);
      h.pipe(jumped.protocol("", Map.of("Tcp.RetransSegs", 1L)));
      h.pipe(array(seed.cycle(Scenario.cycle(1), SeedHost.seed())));
      h.advanceTo(Scenario.closing(1));

      assertThat(h.causes()).as("the seed's four causes still come out").hasSize(4);
      assertThat(h.deadLetters())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.getStage()).isEqualTo("clock-skew");
                assertThat(d.getSourceTopic()).isEqualTo(Topics.PROTOCOL.name());
                assertThat(new String(bytes(d), StandardCharsets.UTF_8)).isEqualTo("jumped-host");
                assertThat(d.getReason())
                    .contains("\"jumped-host\"")
                    .containsAnyOf("PT24H", "PT23H59M")
                    .contains("ahead of the processor's clock");
              });
    }
  }

  @Test
  void aSampleWithinTheAllowedSkewIsJudgedAsUsual() {
    assertThat(deadLettersOfASampleAMinuteAhead(Duration.ofMinutes(5))).isEmpty();
  }

  @Test
  void aSmallerAllowedSkewRejectsWhatTheDefaultAccepts() {
    assertThat(deadLettersOfASampleAMinuteAhead(Duration.ofSeconds(10)))
        .singleElement()
        .satisfies(d -> assertThat(d.getStage()).isEqualTo("clock-skew"));
  }

  /** The dead letters of one sample a minute ahead of the wall clock, {@code allowed} skew let. */
  private static List<DeadLetter> deadLettersOfASampleAMinuteAhead(Duration allowed) {
    try (TopologyHarness h =
        new TopologyHarness(
            ProcessorConfig.defaults("ttd:9092")
                .withClockSkew(allowed, dev.culprit.processor.decode.ClockReference.WALL_CLOCK))) {
      SampleFactory slightlyAhead =
          new SampleFactory("fast-host", System.currentTimeMillis() + 60_000);
      h.pipe(slightlyAhead.protocol("", Map.of()));
      return h.deadLetters();
    }
  }

  private static SpecificRecord[] array(List<SpecificRecord> records) {
    return records.toArray(SpecificRecord[]::new);
  }

  private static byte[] bytes(DeadLetter d) {
    var copy = d.getKey().duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
