package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.FleetIncident;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a replay on the cluster prints of what its run wrote (the run itself: ReplayCommandTest).
 */
class ClusterReplayTest {

  @Test
  void printsTheLastVersionOfEachFleetWindowInItsPlace() {
    FleetIncident early = fleet("FIREWALL_DROP x", 10_000, 2);
    FleetIncident other = fleet("QDISC_LOSS y", 10_000, 2);
    FleetIncident nextWindow = fleet("FIREWALL_DROP x", 20_000, 2);
    FleetIncident late = fleet("FIREWALL_DROP x", 10_000, 3); // the late vote's update
    List<Object> results = List.of(early, "a root cause", other, nextWindow, late);
    assertThat(ClusterReplay.lastVersions(results))
        .containsExactly("a root cause", other, nextWindow, late);
  }

  @Test
  void aRunIsNamedForWhenItStartedAndItsNameIsOneJoinAccepts() {
    String run = ClusterReplay.newRun(java.time.Instant.parse("2026-12-07T10:15:00Z"));
    assertThat(run).matches("20261207-101500-[0-9a-f]{4}");
    assertThat(ClusterReplay.RUN.matcher(run).matches()).isTrue();
    assertThat(ClusterReplay.RUN.matcher("../etc").matches()).isFalse();
    assertThat(ClusterReplay.planTopic(run)).isEqualTo("culprit-replay-" + run + ".plan");
  }

  @Test
  void aJoinerRunsTheStartersTopologyWhateverItsOwnOptions() {
    dev.culprit.processor.ProcessorConfig starter =
        dev.culprit.processor.ProcessorConfig.defaults("127.0.0.1:9")
            .withWindow(java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(5))
            .withLifecycle(new dev.culprit.processor.lifecycle.LifecycleSettings(4, 9));
    var tp = new org.apache.kafka.common.TopicPartition("culprit.samples.filter", 0);
    ClusterReplay.Plan plan =
        new ClusterReplay.Plan(
            "20261207-101500-3f2a",
            1_000,
            2_000,
            java.util.Set.of("web-1"),
            java.util.Map.of(tp, 3L),
            java.util.Map.of(tp, 7L),
            ClusterReplay.Plan.settingsOf(starter));
    ClusterReplay.Plan read = ClusterReplay.Plan.fromJson(plan.toJson());
    assertThat(read).isEqualTo(plan);
    dev.culprit.processor.ProcessorConfig joiner =
        read.applyTo(dev.culprit.processor.ProcessorConfig.defaults("127.0.0.1:9"));
    assertThat(joiner.windowSize()).isEqualTo(starter.windowSize());
    assertThat(joiner.grace()).isEqualTo(starter.grace());
    assertThat(joiner.lifecycle()).isEqualTo(starter.lifecycle());
    assertThat(joiner.maxClockSkew()).isEqualTo(starter.maxClockSkew());
    assertThat(joiner.hostSilence()).isEqualTo(starter.hostSilence());

    assertThat(ClusterReplay.Plan.fromJson("{\"run\":1}".getBytes())).as("not a plan").isNull();
    assertThat(ClusterReplay.Plan.fromJson("not json".getBytes())).isNull();
  }

  private static FleetIncident fleet(String signature, long windowStartMs, int hosts) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      names.add("web-" + i);
    }
    return FleetIncident.newBuilder()
        .setSignature(signature)
        .setCause(Cause.FIREWALL_DROP)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowStartMs + 10_000)
        .setHostCount(hosts)
        .setHosts(names)
        .setSummary(signature + " on " + hosts + " hosts")
        .build();
  }
}
