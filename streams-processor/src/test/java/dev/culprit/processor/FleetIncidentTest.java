package dev.culprit.processor;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FleetIncident;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same cause on several hosts in one window becomes one fleet incident. */
class FleetIncidentTest {

  private static final String RANDOM_DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";
  private static final String SSH_REJECT = "-A INPUT -p tcp -m tcp --dport 22 -j REJECT";

  @Test
  void aRuleRolledOutToThreeHostsIsOneIncidentCountingEachHostOnce() {
    List<SampleFactory> hosts =
        List.of(
            new SampleFactory("web-c", 0),
            new SampleFactory("web-a", 0),
            new SampleFactory("web-b", 0),
            new SampleFactory("db-1", 0));
    try (TopologyHarness h = new TopologyHarness()) {
      // Enough cycles that the hosts' own later windows, judged on time, move the fleet windows'
      // time past window 1 (windows judged late, when time jumps, do not vote).
      for (int c = 0; c <= 8; c++) {
        for (SampleFactory host : hosts) {
          host.at(cycle(c));
          boolean db = host.host().equals("db-1");
          h.pipe(filter(host, "", db ? SSH_REJECT : RANDOM_DROP, c));
          if (host.host().equals("web-a")) {
            h.pipe(filter(host, "sidecar", RANDOM_DROP, c)); // a second namespace, same host
          }
        }
      }
      h.advanceTo(closing(8) + 20_000);
      List<FleetIncident> incidents = h.incidents();
      assertThat(incidents).isNotEmpty();
      FleetIncident first = incidents.get(0);
      assertThat(first.getCause()).isEqualTo(Cause.FIREWALL_DROP);
      assertThat(first.getSignature())
          .isEqualTo(
              "FIREWALL_DROP filter INPUT -m statistic --mode random --probability 0.30 -j DROP");
      assertThat(first.getHostCount()).isEqualTo(3);
      assertThat(first.getHosts()).containsExactly("web-a", "web-b", "web-c");
      assertThat(first.getWindowStartMs()).isEqualTo(1_700_000_010_000L);
      assertThat(first.getSummary()).contains("on 3 hosts");
      assertThat(incidents)
          .as("the REJECT seen on one host only is no incident")
          .allSatisfy(i -> assertThat(i.getSignature()).doesNotContain("REJECT"));
    }
  }

  @Test
  void aHostWhoseWindowsAreJudgedMinutesLateStillCountsInEachFleetWindow() {
    List<SampleFactory> onTime =
        List.of(new SampleFactory("web-a", 0), new SampleFactory("web-b", 0));
    SampleFactory late = new SampleFactory("web-c", 0);
    ProcessorConfig config =
        ProcessorConfig.defaults("ttd:9092").withHostSilence(java.time.Duration.ofMinutes(6));
    try (TopologyHarness h = TopologyHarness.hostTime(config)) {
      // web-c's collector could not reach Kafka for two minutes: its spool drains after the other
      // hosts' windows, and the fleet windows they voted in, have closed.
      for (int c = 0; c <= 12; c++) {
        for (SampleFactory host : onTime) {
          host.at(cycle(c));
          h.pipe(filter(host, "", RANDOM_DROP, c));
        }
      }
      for (int c = 0; c <= 12; c++) {
        late.at(cycle(c));
        h.pipe(filter(late, "", RANDOM_DROP, c));
      }
      for (int c = 13; c <= 15; c++) {
        for (SampleFactory host : onTime) {
          host.at(cycle(c));
          h.pipe(filter(host, "", RANDOM_DROP, c));
        }
      }
      java.util.Map<Long, FleetIncident> latest = new java.util.TreeMap<>();
      h.incidents().forEach(i -> latest.put(i.getWindowStartMs(), i));
      assertThat(latest).hasSizeGreaterThan(8);
      // Each window of web-c's that its own samples closed (past the window's end plus grace: by
      // its cycle 12, window 10) has all three hosts in the end.
      assertThat(latest.values().stream().filter(i -> i.getWindowStartMs() <= cycle(10)))
          .allSatisfy(i -> assertThat(i.getHosts()).containsExactly("web-a", "web-b", "web-c"));
      assertThat(h.metrics().late()).doesNotContainKey("fleet-vote");
    }
  }

  private static FilterSample filter(SampleFactory host, String netns, String spec, int cycle) {
    long dropped = 30L * cycle;
    return host.filter(
        netns,
        List.of(rule("INPUT", 1, spec.contains("REJECT") ? "REJECT" : "DROP", spec, dropped, 0)),
        List.of(policy("INPUT", "ACCEPT", 70L * cycle, 0)));
  }
}
