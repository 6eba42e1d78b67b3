package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.ContainerStats;
import java.util.Objects;

/**
 * One container as one sample showed it.
 *
 * @param timeMs the sample's time (for a triggered sample: when the engine event was handled)
 * @param collectorId the collector that took it
 * @param trigger null for a periodic sample, else the engine event (oom, die)
 * @param stats the container
 */
public record Observation(long timeMs, String collectorId, String trigger, ContainerStats stats) {

  public Observation {
    Objects.requireNonNull(stats, "stats");
  }

  public boolean isDie() {
    return "die".equals(trigger);
  }

  public boolean isPeriodic() {
    return trigger == null;
  }

  /** Whether the engine described this container (a plain cgroup has no engine). */
  public boolean hasEngine() {
    return stats.getState() != null || stats.getName() != null;
  }
}
