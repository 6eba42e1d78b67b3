package dev.culprit.collector.spi;

import dev.culprit.collector.records.NetnsKind;
import java.util.Objects;

/**
 * A label for a process's network namespace and what it names, as a container source gives it: the
 * kind decides how a printed fix gets into the namespace, so it must say where the label came from
 * ({@link NetnsKind#DOCKER_CONTAINER} only for a name {@code docker inspect} resolves).
 *
 * @param label the netns field of its samples
 * @param kind what the label names; null when unknown (the label alone tells)
 */
public record NetnsName(String label, NetnsKind kind) {

  public NetnsName {
    Objects.requireNonNull(label, "label");
  }
}
