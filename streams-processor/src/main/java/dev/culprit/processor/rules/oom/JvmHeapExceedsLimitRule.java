package dev.culprit.processor.rules.oom;

import dev.culprit.processor.rules.Fixes;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.Optional;

/**
 * JVM_HEAP_EXCEEDS_LIMIT: the victim is a JVM whose heap ceiling (MaxHeapSize as the JVM computed
 * it) is at or above its cgroup's limit, or leaves less room than a JVM needs outside the heap
 * ({@link OomThresholds#nonHeapReserveFraction()}, at least {@link
 * OomThresholds#nonHeapReserveMinBytes()}). Such a JVM lets its heap grow past the limit instead of
 * collecting garbage, so the kernel kills it: the seed's Tomcat with a 2 GiB heap in 512 MiB.
 */
final class JvmHeapExceedsLimitRule implements OomRule {

  @Override
  public Optional<RootCause> explain(KillFacts f, OomThresholds t) {
    if (f.jvm == null || f.jvm.getMaxHeapBytes() == null || f.limitBytes == null) {
      return Optional.empty();
    }
    long heap = f.jvm.getMaxHeapBytes();
    long limit = f.limitBytes;
    long reserve =
        Math.max(t.nonHeapReserveMinBytes(), (long) (limit * t.nonHeapReserveFraction()));
    if (heap + reserve <= limit) {
      return Optional.empty();
    }
    long recommended = (long) (limit * t.recommendedHeapFraction());
    long percent = Math.round(t.recommendedHeapFraction() * 100);
    String what =
        heap >= limit
            ? "MaxHeapSize " + Bytes.human(heap) + " exceeds the " + Bytes.human(limit) + " limit"
            : "MaxHeapSize "
                + Bytes.human(heap)
                + " leaves only "
                + Bytes.human(limit - heap)
                + " of the "
                + Bytes.human(limit)
                + " limit for non-heap memory";
    String killed =
        f.kernel != null
            ? "; the kernel killed "
                + f.victim()
                + " at "
                + Bytes.human(orElse(f.usageAtKillBytes, limit))
            : "; the engine reports it OOM-killed";
    String advice =
        "set -Xmx"
            + Bytes.flag(recommended)
            + " or -XX:MaxRAMPercentage="
            + percent
            + sourceAdvice(f.jvm.getHeapSource());
    return Optional.of(
        KillEvidence.withJvm(KillEvidence.builder(f, Cause.JVM_HEAP_EXCEEDS_LIMIT), f)
            .evidence("nonHeapReserveBytes", reserve)
            .evidence("recommendedMaxHeapBytes", recommended)
            .confidence(f.kernel != null ? 0.95 : 0.8)
            .summary(
                what
                    + " of "
                    + f.where()
                    + " ("
                    + heapOrigin(f)
                    + ")"
                    + killed
                    + "."
                    + KillEvidence.noteSuffix(f))
            .fix(Fixes.advice(Fixes.host(), advice))
            .build());
  }

  /** Where the ceiling came from, in words. */
  private static String heapOrigin(KillFacts f) {
    String flags = String.join(" ", f.jvm.getFlags());
    return switch (f.jvm.getHeapSource()) {
      case "default-host-ram" ->
          "sized from the host's RAM: the JVM ignores the container limit"
              + (flags.isEmpty() ? "" : ", " + flags);
      case "cmdline-xmx", "cmdline-maxrampercentage" -> "set by " + flags;
      case "default-container" -> "the JVM's default share of the limit";
      default -> flags.isEmpty() ? "read from the JVM" : "read from the JVM, flags " + flags;
    };
  }

  private static String sourceAdvice(String heapSource) {
    if ("default-host-ram".equals(heapSource)) {
      return " (and run a container-aware JDK, 10+ or 8u191+, without -XX:-UseContainerSupport)";
    }
    return "";
  }

  private static long orElse(Long value, long fallback) {
    return value == null ? fallback : value;
  }
}
