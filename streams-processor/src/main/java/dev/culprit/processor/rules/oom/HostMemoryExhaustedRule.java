package dev.culprit.processor.rules.oom;

import dev.culprit.processor.rules.Fixes;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.Optional;

/**
 * HOST_MEMORY_EXHAUSTED: the kernel killed because the whole host ran out of memory ({@code
 * CONSTRAINT_NONE}, "Out of memory:" rather than "Memory cgroup out of memory:"), not because a
 * cgroup reached its limit. The victim is whichever process the kernel judged largest; the fix is
 * on the host: limits for the containers that have none, or more memory.
 */
final class HostMemoryExhaustedRule implements OomRule {

  @Override
  public Optional<RootCause> explain(KillFacts f, OomThresholds t) {
    if (f.kernel == null || !"CONSTRAINT_NONE".equals(f.kernel.getConstraint())) {
      return Optional.empty();
    }
    String rss = f.victimRssBytes == null ? "" : ", " + Bytes.human(f.victimRssBytes) + " resident";
    String in = f.context.containerKey().isEmpty() ? "" : " in " + f.where();
    return Optional.of(
        KillEvidence.withJvm(KillEvidence.builder(f, Cause.HOST_MEMORY_EXHAUSTED), f)
            .confidence(0.9)
            .summary(
                "The host ran out of memory: the kernel killed "
                    + f.victim()
                    + in
                    + rss
                    + " to free memory for the whole system."
                    + KillEvidence.noteSuffix(f))
            .fix(
                Fixes.advice(
                    Fixes.host(),
                    "Give every container a memory limit (docker run -m / docker update --memory)"
                        + " so one cannot starve the host, and reduce the largest consumers or add"
                        + " memory"))
            .build());
  }
}
