package dev.culprit.collector.source.container;

import dev.culprit.collector.spi.NoDataException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the memory and CPU controllers are mounted under the cgroup root.
 *
 * <p>Accepted layouts: cgroup v2 alone ({@code cgroup.controllers} in the root); cgroup v1 with
 * {@code memory} and {@code cpu} / {@code cpuacct} mounted separately or as the combined {@code
 * cpu,cpuacct}; and the "hybrid" layout (v1 controllers plus a controller-less v2 tree at {@code
 * unified}), where containers' limits live in v1.
 *
 * @param version 1 or 2
 * @param memoryRoot the memory hierarchy, or null when the controller is not mounted
 * @param cpuRoot the cpu hierarchy (quota, throttling), or null
 * @param cpuacctRoot the cpuacct hierarchy (v1 usage), or null; the cpu root on v2
 */
public record CgroupLayout(int version, Path memoryRoot, Path cpuRoot, Path cpuacctRoot) {

  /** Looks at the cgroup root and says which layout it is. */
  public static CgroupLayout detect(Path cgroupRoot) throws NoDataException {
    if (Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers"))) {
      return new CgroupLayout(2, cgroupRoot, cgroupRoot, cgroupRoot);
    }
    Path memory = existing(cgroupRoot.resolve("memory"), "memory.usage_in_bytes");
    Path cpu =
        first(
            existing(cgroupRoot.resolve("cpu"), "cpu.cfs_quota_us"),
            existing(cgroupRoot.resolve("cpu,cpuacct"), "cpu.cfs_quota_us"));
    Path cpuacct =
        first(
            existing(cgroupRoot.resolve("cpuacct"), "cpuacct.usage"),
            existing(cgroupRoot.resolve("cpu,cpuacct"), "cpuacct.usage"));
    if (memory == null && cpu == null) {
      throw new NoDataException(
          "no cgroup v2 tree and no v1 memory or cpu controller under " + cgroupRoot);
    }
    return new CgroupLayout(1, memory, cpu, cpuacct);
  }

  private static Path existing(Path dir, String marker) {
    return Files.isRegularFile(dir.resolve(marker)) ? dir : null;
  }

  private static Path first(Path a, Path b) {
    return a != null ? a : b;
  }
}
