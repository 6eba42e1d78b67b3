package dev.culprit.lab;

import dev.culprit.lab.container.WorkloadSpec;
import java.util.List;

/**
 * A container fault: a workload in a memory or CPU cgroup of its own, the seed's container cases.
 * Its settings are fixed (the command line has no options for them); the collector sees the cgroup
 * as a container and the kernel's OOM record in {@code /dev/kmsg}.
 *
 * @param kind which fault
 * @param workload what runs, under which limits
 */
public record ContainerFault(FaultKind kind, WorkloadSpec workload) implements FaultSpec {

  private static final long MIB = 1L << 20;

  /** The container fault {@code kind} with its settings. */
  public static ContainerFault of(FaultKind kind) {
    String name = kind.cliName();
    WorkloadSpec workload =
        switch (kind) {
          // A heap ceiling far above the limit: the kernel kills the JVM (exit 137).
          case OOM_JVM -> WorkloadSpec.heapHog(name, List.of("-Xmx2g"), 256 * MIB);
          // No hsperfdata file: the collector must read the ceiling from the command line.
          case OOM_JVM_CMDLINE ->
              WorkloadSpec.heapHog(name, List.of("-Xmx1g", "-XX:-UsePerfData"), 256 * MIB);
          // The pipeline's tail keeps one endless line: ~10 MiB/s of anonymous memory. When the
          // kernel kills tail, head dies of SIGPIPE and the loop ends, so the container exits 137.
          case OOM_PROCESS ->
              WorkloadSpec.shell(
                  name,
                  List.of(
                      "sh",
                      "-c",
                      "(while :; do head -c 2097152 /dev/zero || exit 0; sleep 0.2; done) | tail"),
                  64 * MIB,
                  null);
          // The seed's --cpus 0.1.
          case CPU_THROTTLE ->
              WorkloadSpec.shell(name, List.of("sh", "-c", "while :; do :; done"), null, 0.1);
          // Default flags: a container-aware heap that runs out inside the limit, a Java
          // OutOfMemoryError (exit 1) and no kernel kill.
          case JVM_HEAP_ERROR -> WorkloadSpec.heapHog(name, List.of(), 256 * MIB);
          default -> throw new IllegalArgumentException(kind + " is not a container fault");
        };
    return new ContainerFault(kind, workload);
  }

  @Override
  public String describe() {
    StringBuilder text = new StringBuilder();
    if (workload.isJava()) {
      text.append("a JVM with ")
          .append(
              workload.jvmFlags().isEmpty()
                  ? "default flags"
                  : String.join(" ", workload.jvmFlags()));
    } else {
      List<String> command = workload.shellCommand();
      text.append("`").append(command.get(command.size() - 1)).append("`");
    }
    if (workload.memoryLimitBytes() != null) {
      text.append(" in a ").append(workload.memoryLimitBytes() / MIB).append(" MiB memory cgroup");
    }
    if (workload.cpus() != null) {
      text.append(" under a quota of ").append(workload.cpus()).append(" CPU");
    }
    return text.toString();
  }
}
