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
 */
public record RuleResult(List<RootCause> causes, List<DeadLetter> failures) {

  public RuleResult {
    causes = List.copyOf(causes);
    failures = List.copyOf(failures);
  }
}
