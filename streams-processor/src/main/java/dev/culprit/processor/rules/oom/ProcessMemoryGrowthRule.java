package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.Optional;

/**
 * PROCESS_MEMORY_GROWTH: a cgroup's usage climbed to its limit and the kernel killed the largest
 * process in it, which is not a JVM (or a JVM whose heap ceiling could not be read). The growth
 * over the samples before the kill shows whether it crept or jumped.
 */
final class ProcessMemoryGrowthRule implements OomRule {

  @Override
  public Optional<RootCause> explain(KillFacts f, OomThresholds t) {
    if (f.limitBytes == null && f.usageAtKillBytes == null) {
      return Optional.empty();
    }
    long atKill = f.usageAtKillBytes != null ? f.usageAtKillBytes : f.limitBytes;
    String growth;
    Long growthBytes = null;
    Double rate = null;
    if (f.growthFromBytes != null
        && f.growthFromMs != null
        && f.context.killTimeMs() > f.growthFromMs) {
      growthBytes = atKill - f.growthFromBytes;
      double seconds = (f.context.killTimeMs() - f.growthFromMs) / 1000.0;
      rate = growthBytes / seconds;
      growth =
          "usage climbed from "
              + Bytes.human(f.growthFromBytes)
              + " to "
              + Bytes.human(atKill)
              + " in "
              + String.format(java.util.Locale.ROOT, "%.1f", seconds)
              + " s ("
              + Bytes.human(Math.max(0, Math.round(rate)))
              + "/s)";
    } else if (f.samplesBefore == 0) {
      growth = "usage reached " + Bytes.human(atKill) + " before culprit first sampled it";
    } else {
      growth = "usage reached " + Bytes.human(atKill) + " between two samples";
    }
    String jvmNote =
        f.victimIsJvm()
            ? " The victim is a JVM whose heap ceiling could not be read"
                + (f.samplesBefore == 0 ? " (it was killed before culprit sampled it)." : ".")
            : "";
    // Without the JVM's flags the heap may still be the culprit: say how to check it by hand.
    String jvmCheck =
        f.victimIsJvm() && f.jvm == null
            ? "; if it is the JVM's heap, compare `java -XX:+PrintFlagsFinal -version | grep"
                + " MaxHeapSize` (run where it runs) with the limit and set -Xmx below it"
            : "";
    String limit =
        f.limitBytes == null ? "its limit" : "the " + Bytes.human(f.limitBytes) + " limit";
    long newLimit = f.limitBytes == null ? atKill * 2 : f.limitBytes * 2;
    return Optional.of(
        KillEvidence.withJvm(KillEvidence.builder(f, Cause.PROCESS_MEMORY_GROWTH), f)
            .evidence("growthBytes", growthBytes)
            .evidence("growthBytesPerSecond", rate == null ? null : (double) Math.round(rate))
            .evidence("growthFromBytes", f.growthFromBytes)
            .evidence("growthFromMs", f.growthFromMs)
            .confidence(f.kernel != null && f.samplesBefore >= 2 ? 0.85 : 0.6)
            .summary(
                "The memory of "
                    + f.where()
                    + " grew to "
                    + limit
                    + ": "
                    + growth
                    + ", then the kernel killed "
                    + f.victim()
                    + "."
                    + jvmNote
                    + KillEvidence.noteSuffix(f))
            .fix(
                KillEvidence.raiseLimit(
                    f,
                    newLimit,
                    "Find why "
                        + (f.victimName == null ? "the process" : f.victimName)
                        + " grows (a leak or an unbounded buffer) or, if it needs the memory,"
                        + " raise the limit"
                        + jvmCheck))
            .build());
  }
}
