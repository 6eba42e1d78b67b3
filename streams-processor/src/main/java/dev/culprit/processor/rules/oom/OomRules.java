package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Optional;

/**
 * The OOM-kill rules in the order they are asked: a global kill is the host's problem whatever the
 * victim; a JVM whose ceiling does not fit explains its own kill; a JVM whose ceiling fits grew
 * outside its heap; anything else grew.
 */
public final class OomRules {

  static final List<OomRule> ALL =
      List.of(
          new HostMemoryExhaustedRule(),
          new JvmHeapExceedsLimitRule(),
          new JvmNonHeapGrowthRule(),
          new ProcessMemoryGrowthRule());

  private OomRules() {}

  /** The cause of one kill, or empty when nothing is known about it (no limit, no usage). */
  public static Optional<RootCause> explain(KillContext context, OomThresholds thresholds) {
    KillFacts facts = new KillFacts(context);
    for (OomRule rule : ALL) {
      Optional<RootCause> cause = rule.explain(facts, thresholds);
      if (cause.isPresent()) {
        return cause;
      }
    }
    return Optional.empty();
  }
}
