package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.Optional;

/**
 * JVM_NON_HEAP_GROWTH: the victim is a JVM whose heap ceiling fits the limit with room to spare,
 * yet the process reached the limit: the memory beyond the heap (metaspace, thread stacks, direct
 * and mapped buffers, code cache, native libraries) grew. The victim's resident size minus the heap
 * ceiling is a lower bound of that non-heap share (the heap may not even be full).
 */
final class JvmNonHeapGrowthRule implements OomRule {

  @Override
  public Optional<RootCause> explain(KillFacts f, OomThresholds t) {
    if (f.jvm == null || f.jvm.getMaxHeapBytes() == null || f.limitBytes == null) {
      return Optional.empty();
    }
    long heap = f.jvm.getMaxHeapBytes();
    long limit = f.limitBytes;
    Long resident = f.victimRssBytes != null ? f.victimRssBytes : f.usageAtKillBytes;
    Long nonHeap = resident == null ? null : Math.max(0, resident - heap);
    String share =
        nonHeap == null || resident == null || resident == 0
            ? "its memory outside the heap grew"
            : "at least "
                + Bytes.human(nonHeap)
                + " ("
                + Math.round(100.0 * nonHeap / resident)
                + " %) of its "
                + Bytes.human(resident)
                + " was outside the heap";
    return Optional.of(
        KillEvidence.withJvm(KillEvidence.builder(f, Cause.JVM_NON_HEAP_GROWTH), f)
            .evidence("nonHeapBytesAtLeast", nonHeap)
            .confidence(f.kernel != null && nonHeap != null ? 0.8 : 0.6)
            .summary(
                f.victim()
                    + " in "
                    + f.where()
                    + " reached the "
                    + Bytes.human(limit)
                    + " limit with a heap ceiling of only "
                    + Bytes.human(heap)
                    + ": "
                    + share
                    + " (metaspace, thread stacks, direct buffers, code cache)."
                    + KillEvidence.noteSuffix(f))
            .fix(
                KillEvidence.raiseLimit(
                    f,
                    limit * 3 / 2,
                    "Cap non-heap memory (-XX:MaxMetaspaceSize, -XX:MaxDirectMemorySize, -Xss,"
                        + " fewer threads; -XX:NativeMemoryTracking=summary shows which part"
                        + " grows) or raise the limit"))
            .build());
  }
}
