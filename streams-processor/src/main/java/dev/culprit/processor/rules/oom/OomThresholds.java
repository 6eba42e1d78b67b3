package dev.culprit.processor.rules.oom;

import java.time.Duration;
import java.util.Objects;

/**
 * The judgement calls of the OOM and CPU-throttling rules.
 *
 * @param nonHeapReserveFraction a JVM needs memory outside its heap (metaspace, code cache, thread
 *     stacks, GC structures, direct buffers): a heap ceiling that leaves less than this share of
 *     the limit, or less than {@code nonHeapReserveMinBytes}, exceeds the limit in effect
 * @param nonHeapReserveMinBytes the least room for non-heap memory a JVM needs
 * @param recommendedHeapFraction the heap share of the limit the remediation proposes (75 %, the
 *     usual container advice and the seed's -Xmx384m for 512 MiB)
 * @param cpuThrottledMinShare a container throttled in at least this share of its CFS periods in a
 *     window is held back by its quota
 * @param cpuMinPeriods and in at least this many periods (a handful of throttled periods while idle
 *     is noise)
 * @param history how far back the samples before a kill are kept and read (memory growth)
 * @param joinWait how long (event time) a kernel kill waits for the engine's exit state of its
 *     container before it is reported with what is known; a plain cgroup (no engine) does not wait
 * @param stateTtl state of a container not seen for this long is dropped
 */
public record OomThresholds(
    double nonHeapReserveFraction,
    long nonHeapReserveMinBytes,
    double recommendedHeapFraction,
    double cpuThrottledMinShare,
    long cpuMinPeriods,
    Duration history,
    Duration joinWait,
    Duration stateTtl) {

  public OomThresholds {
    requireShare("nonHeapReserveFraction", nonHeapReserveFraction);
    requireShare("recommendedHeapFraction", recommendedHeapFraction);
    requireShare("cpuThrottledMinShare", cpuThrottledMinShare);
    if (nonHeapReserveMinBytes < 0 || cpuMinPeriods < 1) {
      throw new IllegalArgumentException("nonHeapReserveMinBytes >= 0 and cpuMinPeriods >= 1");
    }
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(joinWait, "joinWait");
    Objects.requireNonNull(stateTtl, "stateTtl");
  }

  /** 10 % / 32 MiB non-heap room, heap 75 %, throttled in 20 % of 10+ periods, 60 s history. */
  public static OomThresholds defaults() {
    return new OomThresholds(
        0.10,
        32L << 20,
        0.75,
        0.20,
        10,
        Duration.ofSeconds(60),
        Duration.ofSeconds(10),
        Duration.ofMinutes(15));
  }

  private static void requireShare(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within (0, 1], got " + value);
    }
  }
}
