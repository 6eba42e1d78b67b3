package dev.culprit.collector.container.lab;

import java.util.Arrays;
import java.util.Optional;

/** The container faults the lab can inject (names as on the command line). */
public enum LabScenario {
  /**
   * A JVM whose heap ceiling (-Xmx2g) is far above its 256 MiB limit: the kernel kills it (exit
   * 137); culprit says JVM_HEAP_EXCEEDS_LIMIT.
   */
  OOM_JVM("oom-jvm"),
  /** A shell pipeline growing ~10 MiB/s under a 64 MiB limit: PROCESS_MEMORY_GROWTH. */
  OOM_PROCESS("oom-process"),
  /** A busy loop under {@code --cpus 0.1}: CPU_THROTTLED. */
  CPU_THROTTLE("cpu-throttle"),
  /**
   * A container-aware JVM (default flags) in 256 MiB that runs out of heap: a Java OutOfMemoryError
   * (exit 1), no kernel kill, so culprit must stay silent about OOM kills.
   */
  JAVA_OUT_OF_MEMORY_ERROR("jvm-heap-error");

  private final String label;

  LabScenario(String label) {
    this.label = label;
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
