package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** culprit's own processor counts move with what the topology does, and match its output. */
class ProcessorMetricsTest {

  @Test
  void countsRecordsInDeadLettersCausesAndClosedWindowsAsTheyHappen() {
    try (TopologyHarness h = new TopologyHarness()) {
      ProcessorMetrics m = h.metrics();
      SeedHost seed = new SeedHost(Scenario.cycle(0));
      List<SpecificRecord> quiet = seed.cycle(Scenario.cycle(0), SeedHost.quiet());
      h.pipe(quiet.toArray(SpecificRecord[]::new));
      assertThat(m.recordsIn().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(quiet.size());
      assertThat(m.recordsIn()).containsKey(Topics.INTERFACE.name());
      assertThat(m.deadLetters()).isEmpty();

      h.pipeRaw(Topics.PROTOCOL, SeedHost.HOST, "not Avro".getBytes(StandardCharsets.UTF_8));
      assertThat(m.deadLetters()).isEqualTo(Map.of("decode", 1L));
      assertThat(h.deadLetters()).hasSize(1);

      h.pipe(seed.cycle(Scenario.cycle(1), SeedHost.seed()).toArray(SpecificRecord[]::new));
      assertThat(m.windowsClosed()).isZero();
      h.advanceTo(Scenario.closing(1));

      List<RootCause> causes = h.causes();
      assertThat(causes).hasSize(4);
      Map<Cause, Long> expected =
          causes.stream()
              .collect(Collectors.groupingBy(RootCause::getCause, Collectors.counting()));
      Map<Cause, Long> counted = m.causesEmitted();
      expected.forEach((cause, n) -> assertThat(counted).containsEntry(cause, n));
      assertThat(counted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4);
      assertThat(m.windowsClosed()).isPositive();
      assertThat(m.lastCloseLagMs()).isPositive(); // scenario time is in 2023, the clock is not
      assertThat(m.maxCloseLagMs()).isGreaterThanOrEqualTo(m.lastCloseLagMs());
      assertThat(m.late()).allSatisfy((kind, n) -> assertThat(n).isZero());
    }
  }

  @Test
  void aRuleFailureIsCountedByItsReasonClassNotPerRuleAndNamespace() {
    assertThat(ProcessorMetrics.reasonClass("rules:QdiscLossRule netns=x")).isEqualTo("rules");
    assertThat(ProcessorMetrics.reasonClass("clock-skew")).isEqualTo("clock-skew");
    assertThat(ProcessorMetrics.reasonClass("process:oom-join")).isEqualTo("process");
    assertThat(ProcessorMetrics.reasonClass("")).isEqualTo("unknown");
  }
}
