package dev.culprit.collector.platform.docker;

import java.util.Objects;

/**
 * One container event of the engine's {@code /events} stream.
 *
 * @param action oom, die, start, destroy, ... ({@code exec_start: sh} style actions are kept whole)
 * @param containerId the container's id
 * @param name its name ({@code Actor.Attributes.name})
 * @param image its image ({@code Actor.Attributes.image})
 * @param exitCode {@code Actor.Attributes.exitCode} of a {@code die} event, else null
 * @param timeNano when it happened, epoch nanoseconds
 */
public record DockerEvent(
    String action, String containerId, String name, String image, Integer exitCode, long timeNano) {

  public DockerEvent {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(containerId, "containerId");
  }

  public long timeMs() {
    return timeNano / 1_000_000;
  }
}
