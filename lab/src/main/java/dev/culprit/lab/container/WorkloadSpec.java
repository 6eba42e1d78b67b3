package dev.culprit.lab.container;

import java.util.List;
import java.util.Objects;

/**
 * What a container fault runs and under which limits: either the lab's heap hog JVM ({@link
 * HeapHog}) with some flags, or a shell command.
 *
 * @param name the fault's command-line name; its cgroups and containers are named {@code
 *     culprit-NAME-<random>}, which is how a later {@code clear} finds them
 * @param jvmFlags the heap hog's JVM flags, or null for a shell workload
 * @param shellCommand the command of a shell workload; empty for the heap hog
 * @param memoryLimitBytes the memory limit the fault needs, or null for none
 * @param cpus the CPU quota in CPUs, as {@code docker run --cpus}, or null for none
 */
public record WorkloadSpec(
    String name,
    List<String> jvmFlags,
    List<String> shellCommand,
    Long memoryLimitBytes,
    Double cpus) {

  /** The CFS period the quota is a share of, µs (the kernel's and Docker's default). */
  static final long CFS_PERIOD_US = 100_000;

  public WorkloadSpec {
    Objects.requireNonNull(name, "name");
    jvmFlags = jvmFlags == null ? null : List.copyOf(jvmFlags);
    shellCommand = List.copyOf(shellCommand);
    if ((jvmFlags == null) == shellCommand.isEmpty()) {
      throw new IllegalArgumentException(name + ": either JVM flags or a shell command");
    }
  }

  /** The heap hog JVM with {@code jvmFlags} under a memory limit. */
  public static WorkloadSpec heapHog(String name, List<String> jvmFlags, long memoryLimitBytes) {
    return new WorkloadSpec(name, jvmFlags, List.of(), memoryLimitBytes, null);
  }

  /** A shell command under a memory limit and/or a CPU quota (null: none). */
  public static WorkloadSpec shell(
      String name, List<String> command, Long memoryLimitBytes, Double cpus) {
    return new WorkloadSpec(name, null, command, memoryLimitBytes, cpus);
  }

  /** Whether the workload is the heap hog JVM (else a shell command). */
  public boolean isJava() {
    return jvmFlags != null;
  }

  /** The CFS quota per {@link #CFS_PERIOD_US}, µs, or null without a CPU quota. */
  Long cfsQuotaUs() {
    return cpus == null ? null : Math.round(cpus * CFS_PERIOD_US);
  }
}
