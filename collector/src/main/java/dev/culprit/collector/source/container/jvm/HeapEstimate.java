package dev.culprit.collector.source.container.jvm;

import java.util.List;

/**
 * A JVM's heap ceiling and where it came from.
 *
 * @param maxHeapBytes the ceiling, or null when it cannot be told
 * @param source hsperfdata, cmdline-xmx, cmdline-maxrampercentage, default-host-ram,
 *     default-container or unknown (the values of {@code JvmInfo.heapSource})
 * @param flags the heap-deciding flags
 * @param javaVersion the Java version, or null
 */
public record HeapEstimate(
    Long maxHeapBytes, String source, List<String> flags, String javaVersion) {

  public static final String HSPERFDATA = "hsperfdata";
  public static final String CMDLINE_XMX = "cmdline-xmx";
  public static final String CMDLINE_MAX_RAM_PERCENTAGE = "cmdline-maxrampercentage";
  public static final String DEFAULT_HOST_RAM = "default-host-ram";
  public static final String DEFAULT_CONTAINER = "default-container";
  public static final String UNKNOWN = "unknown";

  public HeapEstimate {
    flags = List.copyOf(flags);
  }
}
