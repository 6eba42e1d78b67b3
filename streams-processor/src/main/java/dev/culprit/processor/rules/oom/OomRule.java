package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.RootCause;
import java.util.Optional;

/** One cause of an OOM kill; the first rule of {@link OomRules#ALL} that explains it wins. */
interface OomRule {

  /** The cause, or empty when this rule does not explain the kill. */
  Optional<RootCause> explain(KillFacts facts, OomThresholds thresholds);
}
