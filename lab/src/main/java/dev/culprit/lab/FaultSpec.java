package dev.culprit.lab;

/**
 * A fault {@code culprit lab inject} can make, with its settings: a {@link NetworkFault} in the
 * server namespace of the network lab, or a {@link ContainerFault} in a cgroup of its own.
 */
public sealed interface FaultSpec permits NetworkFault, ContainerFault {

  FaultKind kind();

  /** One line saying what the fault is, with its settings. */
  String describe();
}
