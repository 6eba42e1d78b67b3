package dev.culprit.collector.source.container.jvm;

/**
 * What heap ceiling HotSpot picks from its flags when the JVM's own performance data cannot be read
 * (JVM run with {@code -XX:-UsePerfData}, or no access to its {@code /tmp}). Follows {@code
 * Arguments::set_heap_size} (JDK 10-21):
 *
 * <pre>
 * phys  = MaxRAMPercentage/MaxRAM given ? (MaxRAM or physical memory) : min(physical, MaxRAM 128 GiB)
 * "physical" = the container limit when container support is on (JDK 10+, 8u191+), else host RAM
 * min   = phys * MinRAMPercentage (50) / 100
 * heap  = min &lt; default MaxHeapSize (96 MiB * 13/10) ? min : max(phys * MaxRAMPercentage (25) / 100, default)
 * </pre>
 *
 * The result is an estimate (checked against {@code -XX:+PrintFlagsFinal} of JDK 17 with {@code
 * -XX:MaxRAM} from 64 MiB to 300 GiB); the performance data, when present, is exact.
 */
public final class HeapErgonomics {

  private static final long DEFAULT_MAX_RAM = 128L << 30;

  /** ScaleForWordSize(96 MiB) on a 64-bit VM. */
  private static final long DEFAULT_MAX_HEAP = (96L << 20) * 13 / 10;

  /** HotSpot rounds the ceiling up to its heap alignment: 2 MiB for Serial and Parallel. */
  private static final long ALIGNMENT = 2L << 20;

  private HeapErgonomics() {}

  /**
   * @param options the JVM's heap flags
   * @param javaVersion its version ("17.0.15", "1.8.0_181"), or null when unknown (assumed
   *     container-aware, as every JDK released since 2018)
   * @param containerLimitBytes the memory limit of its cgroup, or null
   * @param hostRamBytes the host's memory
   */
  public static HeapEstimate estimate(
      JvmOptions options, String javaVersion, Long containerLimitBytes, long hostRamBytes) {
    if (options.maxHeapBytes() != null) {
      return new HeapEstimate(
          options.maxHeapBytes(), HeapEstimate.CMDLINE_XMX, options.flags(), javaVersion);
    }
    boolean containerAware =
        !Boolean.FALSE.equals(options.useContainerSupport())
            && isContainerAwareVersion(javaVersion);
    boolean fromContainer = containerAware && containerLimitBytes != null;
    long physical = fromContainer ? Math.min(containerLimitBytes, hostRamBytes) : hostRamBytes;
    boolean overrideCap = options.maxRamPercentage() != null || options.maxRamBytes() != null;
    long phys;
    if (options.maxRamBytes() != null) {
      phys = options.maxRamBytes();
    } else {
      phys = overrideCap ? physical : Math.min(physical, DEFAULT_MAX_RAM);
    }
    double maxPct = options.maxRamPercentage() != null ? options.maxRamPercentage() : 25.0;
    double minPct = options.minRamPercentage() != null ? options.minRamPercentage() : 50.0;
    long reasonableMax = (long) (phys * maxPct / 100.0);
    long reasonableMin = (long) (phys * minPct / 100.0);
    long heap =
        reasonableMin < DEFAULT_MAX_HEAP
            ? reasonableMin
            : Math.max(reasonableMax, DEFAULT_MAX_HEAP);
    heap = (heap + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    String source;
    if (options.maxRamPercentage() != null) {
      source = HeapEstimate.CMDLINE_MAX_RAM_PERCENTAGE;
    } else {
      source = fromContainer ? HeapEstimate.DEFAULT_CONTAINER : HeapEstimate.DEFAULT_HOST_RAM;
    }
    return new HeapEstimate(heap, source, options.flags(), javaVersion);
  }

  /** Container support arrived in JDK 10 and was backported to 8u191. */
  static boolean isContainerAwareVersion(String version) {
    if (version == null || version.isBlank()) {
      return true;
    }
    try {
      if (version.startsWith("1.")) {
        String[] parts = version.split("[._\\-+]");
        int major = Integer.parseInt(parts[1]);
        if (major < 8) {
          return false;
        }
        int update = parts.length > 3 ? Integer.parseInt(parts[3]) : 0;
        return update >= 191;
      }
      String major = version.split("[.+\\-]")[0];
      return Integer.parseInt(major) >= 10;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
