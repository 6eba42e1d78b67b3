package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A host whose collector is cut off for longer than the host silence while other hosts keep probing
 * it: the windows the probe rounds open in the silence are neither judged by the silence nor lost,
 * and when the host's spool drains every window of the outage is judged on its own samples, with
 * the probe rounds that reached it, as on time.
 */
class ProbedSilenceTest {

  private static final Duration SILENCE = Duration.ofMinutes(6);
  private static final int CYCLES = 48;
  private static final int SILENT_FROM = 5;
  private static final String RANDOM_DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";

  /** Windows that a later sample of node-7 closes in both runs. */
  private static final long COMPARED_BEFORE = window(CYCLES - 3);

  @Test
  void theProbedWindowsOfASilenceLongerThanTheHostSilenceWaitForTheHostsSpool() {
    Map<Long, RootCause> onTime;
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      Fleet f = new Fleet();
      for (int c = 0; c < CYCLES; c++) {
        f.node7(h, c);
        f.probe(h, c);
      }
      onTime = byWindow(h.causes());
      assertThat(late(h)).isZero();
    }
    assertThat(onTime.keySet())
        .as("a firewall drop in every compared window but the first (no counter delta yet)")
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(1, CYCLES - 3).mapToObj(c -> window(c)).toList());

    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      Fleet f = new Fleet();
      for (int c = 0; c < SILENT_FROM; c++) {
        f.node7(h, c);
        f.probe(h, c);
      }
      // node-7's collector cannot reach Kafka for longer than the host silence; node-2 goes on
      // probing it, which moves stream time past node-7's silence.
      for (int c = SILENT_FROM; c < CYCLES; c++) {
        f.probe(h, c);
      }
      assertThat(SILENCE.toMillis())
          .as("the silence ran out while the probes came")
          .isLessThan(cycle(CYCLES - 1) - cycle(SILENT_FROM - 1));
      List<RootCause> silence = h.causes(); // read once: the driver's output is consumed
      assertThat(silence.stream().filter(r -> r.getHost().toString().equals(WebHost.HOST)))
          .as("only the windows up to node-7's last sample are judged by its silence, any cause")
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.getWindowStartMs()).isLessThan(window(SILENT_FROM)));
      Map<Long, RootCause> caughtUp = byWindow(silence);
      // Its spool drains.
      for (int c = SILENT_FROM; c < CYCLES; c++) {
        f.node7(h, c);
      }
      byWindow(h.causes())
          .forEach((k, v) -> assertThat(caughtUp.put(k, v)).as("judged once").isNull());

      assertThat(late(h)).as("no sample of node-7 dropped as late").isZero();
      assertThat(caughtUp.keySet()).as("every window judged").isEqualTo(onTime.keySet());
      for (Map.Entry<Long, RootCause> e : caughtUp.entrySet()) {
        RootCause on = onTime.get(e.getKey());
        assertThat(e.getValue().getCause()).isEqualTo(on.getCause());
        assertThat(e.getValue().getEvidence()).isEqualTo(on.getEvidence());
      }
      // The rounds of the silence's first minutes, while node-7's address was still its own in
      // the index (three minutes past its last claim), are joined to its windows as on time.
      for (int c = SILENT_FROM; c < SILENT_FROM + 12; c++) {
        assertThat(caughtUp.get(window(c)).getSymptoms())
            .as("window %d", c)
            .containsEntry("probe.sent", 30L)
            .isEqualTo(onTime.get(window(c)).getSymptoms());
      }
    }
  }

  /** The start of the window cycle {@code c} samples in. */
  private static long window(int c) {
    return cycle(c) - Math.floorMod(cycle(c), 10_000L);
  }

  private static ProcessorConfig config() {
    return ProcessorConfig.defaults("ttd:9092").withHostSilence(SILENCE);
  }

  /** node-7's firewall-drop causes of the compared windows, by window start. */
  private static Map<Long, RootCause> byWindow(List<RootCause> causes) {
    Map<Long, RootCause> out = new TreeMap<>();
    for (RootCause r : causes) {
      if (r.getHost().toString().equals(WebHost.HOST)
          && r.getWindowStartMs() < COMPARED_BEFORE
          && r.getCause().toString().equals("FIREWALL_DROP")) {
        assertThat(out.put(r.getWindowStartMs(), r)).as("judged once").isNull();
      }
    }
    return out;
  }

  /** Samples dropped as late, probe rounds aside (those of a forgotten window count there). */
  private static long late(TopologyHarness h) {
    Map<String, Long> late = new TreeMap<>(h.metrics().late());
    late.remove("probe");
    return late.values().stream().mapToLong(Long::longValue).sum();
  }

  /** node-7 (web-1 drops 30 % at random) and node-2, probing web-1 once a cycle. */
  private static final class Fleet {
    private final WebHost w = new WebHost();
    private final SampleFactory node2 = new SampleFactory("node-2", cycle(0));

    void node7(TopologyHarness h, int c) {
      w.samples.at(cycle(c));
      UnaryOperator<dev.culprit.schemas.InterfaceStats.Builder> same = b -> b;
      List<FirewallRule> rules = new ArrayList<>();
      rules.add(rule("INPUT", 1, "DROP", RANDOM_DROP, 6 + c * 300L, (6 + c * 300L) * 60));
      rules.add(rule("INPUT", 2, "ACCEPT", "-A INPUT -j ACCEPT", c * 600L, c * 36_000L));
      h.pipe(
          w.hostInterfaces(same, same, same),
          w.podInterfaces(same, same),
          w.samples.filter(
              WebHost.POD,
              rules,
              List.of(policy("INPUT", "ACCEPT", 0, 0), policy("OUTPUT", "ACCEPT", 0, 0))));
    }

    void probe(TopologyHarness h, int c) {
      node2.at(cycle(c) + 5_000);
      h.pipe(node2.probe("culprit-client", "10.88.0.7", 8080, 30, 18, 0.1, 0.4, 3.1));
    }
  }
}
