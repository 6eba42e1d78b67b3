package dev.culprit.processor.rules.oom;

import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * CPU_THROTTLED: a container's CFS quota held it back: it was throttled in at least {@link
 * OomThresholds#cpuThrottledMinShare()} of the enforcement periods of a window (and in at least
 * {@link OomThresholds#cpuMinPeriods()} of them). The seed's Tomcat under {@code --cpus 0.1} took
 * 24 s to start: every 100 ms period it ran 10 ms and waited 90.
 *
 * <p>{@code nr_periods} counts only periods in which the group wanted CPU, so an idle container is
 * never judged. The CPU it would have used is estimated as used plus throttled time over the
 * window; the remediation proposes at least twice the quota.
 */
public final class CpuThrottleRule {

  private CpuThrottleRule() {}

  /**
   * Judges one window from the container's sample at its start ({@code from}) and end ({@code to}).
   *
   * @return the cause, or empty when the container was not throttled enough, had no quota, or its
   *     counters restarted (another collector or cgroup) between the two samples
   */
  public static Optional<RootCause> evaluate(
      String host,
      Observation from,
      Observation to,
      long windowStartMs,
      long windowEndMs,
      OomThresholds t) {
    ContainerStats a = from.stats();
    ContainerStats b = to.stats();
    if (b.getCpuQuotaUs() == null || b.getCpuPeriodUs() == null || b.getCpuPeriodUs() <= 0) {
      return Optional.empty();
    }
    Long periods = delta(a.getCpuPeriods(), b.getCpuPeriods());
    Long throttled = delta(a.getCpuThrottledPeriods(), b.getCpuThrottledPeriods());
    if (periods == null || throttled == null || periods < t.cpuMinPeriods() || periods == 0) {
      return Optional.empty();
    }
    double share = throttled / (double) periods;
    if (share < t.cpuThrottledMinShare()) {
      return Optional.empty();
    }
    Long throttledNs = delta(a.getCpuThrottledNs(), b.getCpuThrottledNs());
    Long usageNs = delta(a.getCpuUsageNs(), b.getCpuUsageNs());
    long spanMs = Math.max(1, to.timeMs() - from.timeMs());
    double cpus = b.getCpuQuotaUs() / (double) b.getCpuPeriodUs();
    Double demand =
        usageNs == null || throttledNs == null ? null : (usageNs + throttledNs) / (spanMs * 1e6);
    double proposed = Math.max(2 * cpus, demand == null ? 0 : demand);
    proposed = Math.ceil(proposed * 10) / 10;
    String name = b.getName() != null ? b.getName() : b.getId();
    boolean docker =
        b.getName() != null
            && !"cgroup".equals(b.getRuntime())
            && !"systemd".equals(b.getRuntime());
    PodName pod = PodName.of(b);
    String where = pod != null ? pod.phrase() : (docker ? "container " : "cgroup ") + name;
    String quota =
        fmt(b.getCpuQuotaUs() / 1000.0)
            + " ms per "
            + fmt(b.getCpuPeriodUs() / 1000.0)
            + " ms period (--cpus "
            + fmt(cpus)
            + ")";
    String held =
        throttledNs == null
            ? ""
            : ", held back " + fmt(throttledNs / 1e9) + " s in " + fmt(spanMs / 1000.0) + " s";
    // docker update talks to the engine: it runs on the host.
    // A pod's quota comes from its spec: the kubelet would undo a change made on the node.
    Fix fix =
        pod != null && !docker
            ? Fixes.advice(
                Fixes.host(),
                "Raise resources.limits.cpu of "
                    + (pod.container() == null ? "the pod" : "container " + pod.container())
                    + " in the spec that owns pod "
                    + pod.namespace()
                    + "/"
                    + pod.pod()
                    + " to "
                    + fmt(proposed)
                    + " (or remove the CPU limit)")
            : docker
                ? Fixes.command(
                    Fixes.host(),
                    List.of("docker", "update", "--cpus", fmt(proposed), name),
                    "raises its CPU quota")
                : Fixes.advice(
                    Fixes.host(),
                    "Raise the cgroup's CPU quota: cpu.cfs_quota_us / cpu.max to "
                        + Math.round(proposed * b.getCpuPeriodUs())
                        + " per "
                        + b.getCpuPeriodUs()
                        + " us period");
    CauseBuilder builder =
        CauseBuilder.ofContainer(
                host,
                Cause.CPU_THROTTLED,
                Layer.CPU,
                pod != null && b.getName() == null ? pod.location() : name,
                "window " + windowStartMs)
            .netns(b.getName())
            .container(b.getId())
            .window(windowStartMs, windowEndMs)
            .evidence("cpuQuotaUs", b.getCpuQuotaUs())
            .evidence("cpuPeriodUs", b.getCpuPeriodUs())
            .evidence("cpus", cpus)
            .evidence("engineNanoCpus", b.getEngineNanoCpus())
            .evidence("periods", periods)
            .evidence("throttledPeriods", throttled)
            .evidence("throttledShare", Math.round(share * 10_000) / 10_000.0)
            .evidence("throttledNs", throttledNs)
            .evidence("usageNs", usageNs)
            .evidence("demandCpus", demand == null ? null : Math.round(demand * 100) / 100.0)
            .evidence("proposedCpus", proposed)
            .evidence("image", b.getImage());
    if (pod != null) {
      pod.addTo(builder);
    }
    RootCause cause =
        builder
            .confidence(share >= 0.5 ? 0.9 : 0.7)
            .summary(
                where
                    + " was throttled in "
                    + Math.round(share * 100)
                    + " % of its CPU periods ("
                    + throttled
                    + " of "
                    + periods
                    + ")"
                    + held
                    + ": its quota is "
                    + quota
                    + ", so whatever it does (a start-up, a request) takes several times longer.")
            .fix(fix)
            .build();
    return Optional.of(cause);
  }

  /** to - from of a counter, or null when unknown or reset. */
  private static Long delta(Long from, Long to) {
    if (from == null || to == null || to < from) {
      return null;
    }
    return to - from;
  }

  private static String fmt(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
