package dev.culprit.processor.lifecycle;

import dev.culprit.schemas.RootCause;
import java.util.List;

/**
 * What the lifecycle tracker learns from one record of the rules: the causes, and whether the
 * record is a closed host window (which says, by leaving a cause out, that the host went a window
 * without it) or a cause found elsewhere (OOM kills, CPU throttling), which only adds.
 *
 * @param hostWindow true for every closed host window of the packet-loss rules, even one without
 *     causes: the host's clock
 * @param causes the causes of the record
 */
public record LifecycleInput(boolean hostWindow, List<RootCause> causes) {

  public LifecycleInput {
    causes = List.copyOf(causes);
  }
}
