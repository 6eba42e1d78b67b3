package dev.culprit.processor.rules;

import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.RootCause;
import java.util.List;

/**
 * Everything the rules made of one host window: the causes, and a dead letter for each rule that
 * failed on it (the other rules' causes still go out).
 *
 * @param causes root causes, by namespace then rule
 * @param failures one per rule that threw
 * @param judgedLateMs how far behind its partition's stream time the window was judged, when more
 *     than a window (a host catching up after an outage); 0 otherwise. Such a window does not vote
 *     in fleet correlation, whose windows closed long before.
 */
public record RuleResult(List<RootCause> causes, List<DeadLetter> failures, long judgedLateMs) {

  public RuleResult {
    causes = List.copyOf(causes);
    failures = List.copyOf(failures);
  }

  /** A result judged on time. */
  public RuleResult(List<RootCause> causes, List<DeadLetter> failures) {
    this(causes, failures, 0);
  }
}
