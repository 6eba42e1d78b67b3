package dev.culprit.processor.lifecycle;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.FilterSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The whole topology turns per-window firewall-drop causes into transitions: one STARTED, a
 * reminder every six windows seen, one ENDED three host windows after the last one seen.
 */
class CauseLifecycleTest {

  // The lab's firewall-drop rule, as iptables-save prints it.
  private static final String LAB_DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -m comment --comment"
          + " culprit-lab:firewall-drop -j DROP";
  private static final long WINDOW_MS = 10_000;

  @Test
  void aLabFaultInjectedForAMinuteAndThenClearedGivesExactlyOneStartAndOneEnd() {
    // Cycle 0 is the baseline; the rule drops in cycles 1..6 (a minute), then the fault is cleared
    // and the host goes on reporting flat counters.
    List<CauseTransition> transitions =
        run(new SampleFactory("vm", 0), "", c -> c >= 1 && c <= 6, 14);

    assertThat(transitions)
        .extracting(CauseTransition::getState)
        .containsExactly(CauseState.STARTED, CauseState.ONGOING, CauseState.ENDED);
    CauseTransition started = transitions.get(0);
    CauseTransition ended = transitions.get(2);
    assertThat(started.getCause()).isEqualTo(Cause.FIREWALL_DROP);
    assertThat(started.getHost()).isEqualTo("vm");
    assertThat(started.getNetns()).isEmpty();
    assertThat(started.getSignature())
        .isEqualTo(
            "FIREWALL_DROP filter INPUT -m statistic --mode random --probability 0.30 -m comment"
                + " --comment culprit-lab:firewall-drop -j DROP");
    assertThat(started.getFirstWindowStartMs()).isEqualTo(windowOf(1));
    assertThat(started.getWindowsSeen()).isEqualTo(1);
    assertThat(ended.getEpisodeId()).isEqualTo(started.getEpisodeId());
    assertThat(ended.getFirstWindowStartMs()).isEqualTo(windowOf(1));
    assertThat(ended.getLastWindowEndMs()).isEqualTo(windowOf(6) + WINDOW_MS);
    assertThat(ended.getDurationMs()).isEqualTo(60_000);
    assertThat(ended.getWindowsSeen()).isEqualTo(6);
    assertThat(ended.getDecidedWindowEndMs())
        .as("decided by the third window without it")
        .isEqualTo(windowOf(9) + WINDOW_MS);
    assertThat(ended.getTotals()).containsEntry("droppedPackets", 6 * 30L);
    assertThat(ended.getLatest().getWindowStartMs()).isEqualTo(windowOf(6));
    assertThat(transitions).extracting(CauseTransition::getTransitionId).doesNotHaveDuplicates();
  }

  @Test
  void aCauseMissingFewerWindowsThanTheEndCountIsOneEpisode() {
    // Drops in 1-2, nothing in 3-4 (two windows, fewer than three), drops again in 5-6.
    List<CauseTransition> transitions =
        run(new SampleFactory("vm", 0), "", c -> c == 1 || c == 2 || c == 5 || c == 6, 12);

    assertThat(transitions)
        .extracting(CauseTransition::getState)
        .containsExactly(CauseState.STARTED, CauseState.ENDED);
    assertThat(transitions.get(1).getWindowsSeen()).isEqualTo(4);
    assertThat(transitions.get(1).getDurationMs()).isEqualTo(60_000);
  }

  @Test
  void aCauseMissingAsManyWindowsAsTheEndCountFlapsIntoTwoEpisodes() {
    // Drops in 1, nothing in 2-4 (three windows), drops again in 5.
    List<CauseTransition> transitions =
        run(new SampleFactory("vm", 0), "", c -> c == 1 || c == 5, 12);

    assertThat(transitions)
        .extracting(CauseTransition::getState)
        .containsExactly(
            CauseState.STARTED, CauseState.ENDED, CauseState.STARTED, CauseState.ENDED);
    assertThat(transitions.get(0).getEpisodeId()).isNotEqualTo(transitions.get(2).getEpisodeId());
    assertThat(transitions.get(1).getDecidedWindowEndMs()).isEqualTo(windowOf(4) + WINDOW_MS);
  }

  @Test
  void theSameCauseInTwoNamespacesHasTwoEpisodes() {
    SampleFactory host = new SampleFactory("vm", 0);
    List<CauseTransition> transitions;
    try (TopologyHarness h = new TopologyHarness()) {
      for (int c = 0; c <= 10; c++) {
        host.at(cycle(c));
        h.pipe(filter(host, "", Math.min(c, 2))); // drops in windows 1-2
        h.pipe(filter(host, "web-1", Math.min(c, 4))); // drops in windows 1-4
      }
      h.advanceTo(closing(10));
      transitions = h.transitions();
    }
    assertThat(transitions)
        .filteredOn(t -> t.getState() == CauseState.STARTED)
        .extracting(CauseTransition::getNetns)
        .containsExactly("", "web-1");
    assertThat(transitions)
        .filteredOn(t -> t.getState() == CauseState.ENDED)
        .extracting(CauseTransition::getNetns, CauseTransition::getWindowsSeen)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("", 2),
            org.assertj.core.groups.Tuple.tuple("web-1", 4));
    assertThat(transitions.stream().map(CauseTransition::getEpisodeId).distinct())
        .as("one episode per namespace, its start and end sharing the id")
        .hasSize(2);
  }

  @Test
  void aReplayOfTheSameSamplesGivesIdenticalTransitions() {
    IntPredicate fault = c -> c >= 1 && c <= 8;
    List<CauseTransition> first = run(new SampleFactory("vm", 0), "", fault, 14);
    List<CauseTransition> second = run(new SampleFactory("vm", 0), "", fault, 14);

    assertThat(first).hasSize(3);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void aHostThatStopsReportingKeepsItsCauseOpenUntilItsNextWindow() {
    SampleFactory host = new SampleFactory("vm", 0);
    try (TopologyHarness h = new TopologyHarness()) {
      for (int c = 0; c <= 3; c++) {
        host.at(cycle(c));
        h.pipe(filter(host, "", c));
      }
      h.advanceTo(closing(30));
      assertThat(h.transitions())
          .as("no window of the host: no time passes for its causes")
          .extracting(CauseTransition::getState)
          .containsExactly(CauseState.STARTED);

      host.at(cycle(31));
      h.pipe(filter(host, "", 3));
      h.advanceTo(closing(32));
      List<CauseTransition> after = h.transitions();
      assertThat(after).extracting(CauseTransition::getState).containsExactly(CauseState.ENDED);
      assertThat(after.get(0).getLastWindowEndMs()).isEqualTo(windowOf(3) + WINDOW_MS);
      assertThat(after.get(0).getDecidedWindowEndMs()).isEqualTo(windowOf(31) + WINDOW_MS);
    }
  }

  private static List<CauseTransition> run(
      SampleFactory host, String netns, IntPredicate dropsIn, int cycles) {
    try (TopologyHarness h = new TopologyHarness()) {
      long dropped = 0;
      for (int c = 0; c <= cycles; c++) {
        if (c > 0 && dropsIn.test(c)) {
          dropped++;
        }
        host.at(cycle(c));
        h.pipe(filter(host, netns, dropped));
      }
      h.advanceTo(closing(cycles));
      return new ArrayList<>(h.transitions());
    }
  }

  /** The lab rule having dropped 30 packets in each of {@code steps} windows so far. */
  private static FilterSample filter(SampleFactory host, String netns, long steps) {
    return host.filter(
        netns,
        List.of(rule("INPUT", 1, "DROP", LAB_DROP, 30L * steps, 0)),
        List.of(policy("INPUT", "ACCEPT", 70L * steps, 0)));
  }

  private static long windowOf(int cycle) {
    return Math.floorDiv(cycle(cycle), WINDOW_MS) * WINDOW_MS;
  }
}
