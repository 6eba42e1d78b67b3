package dev.culprit.lab.container;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The container faults the lab can inject (names as on the command line). */
public enum LabScenario {
  /**
   * A JVM whose heap ceiling (-Xmx2g) is far above its 256 MiB limit: the kernel kills it (exit
   * 137); culprit says JVM_HEAP_EXCEEDS_LIMIT.
   */
  OOM_JVM("oom-jvm"),
  /**
   * The seed's own story: {@code java -Xmx1g} as the container's PID 1 under 256 MiB, without
   * performance data, so the ceiling is known only from the command line, which reads empty while
   * the killed JVM exits. culprit must still say JVM_HEAP_EXCEEDS_LIMIT with the 1 GiB ceiling.
   */
  OOM_JVM_CMDLINE("oom-jvm-cmdline"),
  /** A shell pipeline growing ~10 MiB/s under a 64 MiB limit: PROCESS_MEMORY_GROWTH. */
  OOM_PROCESS("oom-process"),
  /** A busy loop under {@code --cpus 0.1}: CPU_THROTTLED. */
  CPU_THROTTLE("cpu-throttle"),
  /**
   * A container-aware JVM (default flags) in 256 MiB that runs out of heap: a Java OutOfMemoryError
   * (exit 1), no kernel kill, so culprit must stay silent about OOM kills.
   */
  JAVA_OUT_OF_MEMORY_ERROR("jvm-heap-error");

  private static final long MIB = 1L << 20;

  private final String label;

  LabScenario(String label) {
    this.label = label;
  }

  /** Whether the workload is the lab's heap hog JVM (else a shell command). */
  public boolean isJava() {
    return this == OOM_JVM || this == OOM_JVM_CMDLINE || this == JAVA_OUT_OF_MEMORY_ERROR;
  }

  /** The JVM flags of a Java workload: a heap ceiling far above the limit, or the defaults. */
  public List<String> jvmFlags() {
    return switch (this) {
      case OOM_JVM -> List.of("-Xmx2g");
      // No hsperfdata file: the collector must read the ceiling from the command line.
      case OOM_JVM_CMDLINE -> List.of("-Xmx1g", "-XX:-UsePerfData");
      default -> List.of();
    };
  }

  /** The command of a shell workload; empty for a Java one. */
  public List<String> shellCommand() {
    return switch (this) {
      // The pipeline's tail keeps one endless line: ~10 MiB/s of anonymous memory. When the
      // kernel kills tail, head dies of SIGPIPE and the loop ends, so the container exits 137.
      case OOM_PROCESS ->
          List.of(
              "sh",
              "-c",
              "(while :; do head -c 2097152 /dev/zero || exit 0; sleep 0.2; done) | tail");
      case CPU_THROTTLE -> List.of("sh", "-c", "while :; do :; done");
      default -> List.of();
    };
  }

  /** The memory limit the fault needs, bytes; null for CPU throttling, which needs none. */
  public Long memoryLimitBytes() {
    return switch (this) {
      case OOM_JVM, OOM_JVM_CMDLINE, JAVA_OUT_OF_MEMORY_ERROR -> 256 * MIB;
      case OOM_PROCESS -> 64 * MIB;
      case CPU_THROTTLE -> null;
    };
  }

  /** The command-line name. */
  public String label() {
    return label;
  }

  /** The scenario of that command-line name. */
  public static Optional<LabScenario> byLabel(String label) {
    return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
  }
}
