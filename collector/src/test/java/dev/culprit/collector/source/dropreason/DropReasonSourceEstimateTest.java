package dev.culprit.collector.source.dropreason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a cycle's records stand for its drops: scaled per CPU, as the rings are. */
class DropReasonSourceEstimateTest {

  @Test
  void aFloodOnOneCpuDoesNotInflateARareReasonAnotherCpuKeptWhole() {
    // CPU 0 took 100,000 drops of A and kept 190; CPU 1 took 50 NETFILTER_DROP and kept them all.
    KfreeSkbInstance.Cycle cycle =
        new KfreeSkbInstance.Cycle(
            Map.of(0, 100_000L, 1, 50L),
            Map.of(0, Map.of("A", 190L), 1, Map.of("NETFILTER_DROP", 50L)));

    Map<String, Double> estimated = cycle.estimated();

    assertThat(estimated.get("NETFILTER_DROP")).isCloseTo(50.0, within(1e-9));
    assertThat(estimated.get("A")).isCloseTo(100_000.0, within(1e-6));
    assertThat(cycle.taken()).isEqualTo(100_050L);
    assertThat(cycle.sampled())
        .containsExactly(Map.entry("A", 190L), Map.entry("NETFILTER_DROP", 50L));
  }

  @Test
  void aCpuThatReadMoreThanItCountedCountsWhatItRead() {
    // A record taken between the count and the reset: kept, read, not yet counted.
    KfreeSkbInstance.Cycle cycle =
        new KfreeSkbInstance.Cycle(Map.of(0, 2L), Map.of(0, Map.of("QDISC_DROP", 3L)));

    assertThat(cycle.taken()).isEqualTo(3L);
    assertThat(cycle.estimated().get("QDISC_DROP")).isCloseTo(3.0, within(1e-9));
  }
}
