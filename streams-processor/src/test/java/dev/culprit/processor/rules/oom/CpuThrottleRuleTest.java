package dev.culprit.processor.rules.oom;

import static dev.culprit.processor.oom.OomFixtures.HOST;
import static dev.culprit.processor.oom.OomFixtures.TOMCAT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.oom.OomFixtures;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuThrottleRuleTest {

  private static final OomThresholds T = OomThresholds.defaults();
  private static final long T0 = 1_795_849_460_000L;

  @Test
  void blamesTheSeedsTenthOfACpuWhenMostPeriodsAreThrottled() {
    // --cpus 0.1 and a busy process: 10 ms per 100 ms period, throttled in 92 of 100 periods.
    Optional<RootCause> c =
        evaluate(stats(0, 0, 0, 0), stats(100, 92, 8_280_000_000L, 1_000_000_000L));

    RootCause cause = c.orElseThrow();
    assertThat(cause.getCause()).isEqualTo(Cause.CPU_THROTTLED);
    assertThat(cause.getLayer()).isEqualTo(Layer.CPU);
    assertThat(cause.getLocation()).isEqualTo("tomcat");
    assertThat(cause.getContainer()).isEqualTo(TOMCAT_ID);
    assertThat(cause.getSummary())
        .startsWith(
            "container tomcat was throttled in 92 % of its CPU periods (92 of 100), held back 8.28 s in 10 s")
        .contains("10 ms per 100 ms period (--cpus 0.1)");
    // Used 1 s + throttled 8.28 s in 10 s: it wanted about 0.93 CPUs.
    assertThat(cause.getRemediation())
        .isEqualTo("docker update --cpus 1 tomcat   # raises its CPU quota");
    // docker update talks to the engine: it runs on the host, not in the container.
    assertThat(cause.getFix().getScope().getKind()).isEqualTo(FixScopeKind.HOST);
    assertThat(cause.getFix().getArgv())
        .containsExactly("docker", "update", "--cpus", "1", "tomcat");
    assertThat(cause.getEvidence())
        .containsEntry("periods", 100L)
        .containsEntry("throttledPeriods", 92L)
        .containsEntry("throttledShare", 0.92)
        .containsEntry("cpuQuotaUs", 10_000L)
        .containsEntry("cpus", 0.1)
        .containsEntry("proposedCpus", 1.0);
    assertThat(cause.getWindowStartMs()).isEqualTo(T0);
    assertThat(cause.getWindowEndMs()).isEqualTo(T0 + 10_000);
  }

  @Test
  void staysQuietForOccasionalThrottling() {
    assertThat(evaluate(stats(0, 0, 0, 0), stats(100, 5, 40_000_000L, 900_000_000L))).isEmpty();
  }

  @Test
  void staysQuietForAnAlmostIdleContainer() {
    // nr_periods only counts periods in which the group ran: 3 of them are no evidence.
    assertThat(evaluate(stats(0, 0, 0, 0), stats(3, 3, 200_000_000L, 30_000_000L))).isEmpty();
  }

  @Test
  void staysQuietWithoutAQuotaOrAcrossACounterRestart() {
    ContainerStats unlimited =
        ContainerStats.newBuilder(stats(100, 92, 1, 1)).setCpuQuotaUs(null).build();
    assertThat(evaluate(stats(0, 0, 0, 0), unlimited)).isEmpty();
    assertThat(evaluate(stats(500, 400, 9, 9), stats(100, 92, 1, 1)))
        .as("new cgroup, same id")
        .isEmpty();
  }

  @Test
  void proposesAtLeastTwiceTheQuotaForAPlainCgroup() {
    ContainerStats plain =
        ContainerStats.newBuilder(stats(100, 50, 100_000_000L, 1_000_000_000L))
            .setId("/culprit-cpu")
            .setName(null)
            .setRuntime("cgroup")
            .build();
    RootCause c = evaluate(stats(0, 0, 0, 0), plain).orElseThrow();
    assertThat(c.getLocation()).isEqualTo("/culprit-cpu");
    assertThat(c.getRemediation())
        .isEqualTo(
            "# Raise the cgroup's CPU quota: cpu.cfs_quota_us / cpu.max to 20000 per 100000 us"
                + " period");
    assertThat(c.getFix().getArgv()).isEmpty();
  }

  @Test
  void namesThePodAndContainerOfAThrottledKubernetesContainer() {
    RootCause c =
        evaluate(inPod(stats(0, 0, 0, 0)), inPod(stats(100, 92, 8_280_000_000L, 1_000_000_000L)))
            .orElseThrow();

    assertThat(c.getSummary())
        .startsWith("pod shop/cart-7d9f, container tomcat was throttled in 92 %");
    assertThat(c.getLocation()).isEqualTo("shop/cart-7d9f/tomcat");
    assertThat(c.getEvidence())
        .containsEntry("podNamespace", "shop")
        .containsEntry("pod", "cart-7d9f")
        .containsEntry("podContainer", "tomcat");
    // The kubelet owns the cgroup's quota: the fix is the pod spec's limit, never docker update.
    assertThat(c.getRemediation())
        .isEqualTo(
            "# Raise resources.limits.cpu of container tomcat in the spec that owns pod"
                + " shop/cart-7d9f to 1 (or remove the CPU limit)");
  }

  /** The same container started by a kubelet: no engine name, its pod named by the collector. */
  private static ContainerStats inPod(ContainerStats s) {
    return ContainerStats.newBuilder(s)
        .setName(null)
        .setRuntime("containerd")
        .setEngineNanoCpus(null)
        .setPodNamespace("shop")
        .setPodName("cart-7d9f")
        .setContainerName("tomcat")
        .build();
  }

  private static Optional<RootCause> evaluate(ContainerStats from, ContainerStats to) {
    return CpuThrottleRule.evaluate(
        HOST,
        OomFixtures.periodic(T0, from),
        OomFixtures.periodic(T0 + 10_000, to),
        T0,
        T0 + 10_000,
        T);
  }

  private static ContainerStats stats(
      long periods, long throttled, long throttledNs, long usageNs) {
    return OomFixtures.cpuLimited("tomcat", periods, throttled, throttledNs, usageNs);
  }
}
