package dev.culprit.collector.source.container;

import static dev.culprit.collector.source.container.CgroupFiles.optionalKeyed;
import static dev.culprit.collector.source.container.CgroupFiles.optionalLong;
import static dev.culprit.collector.source.container.CgroupFiles.optionalValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a cgroup v1 group from the memory, cpu and cpuacct hierarchies (the same relative path in
 * each, as Docker, containerd and systemd create them).
 *
 * <pre>
 * memory/&lt;path&gt;/memory.limit_in_bytes      536870912   (9223372036854771712 = unlimited)
 * memory/&lt;path&gt;/memory.usage_in_bytes      ...
 * memory/&lt;path&gt;/memory.max_usage_in_bytes  ...
 * memory/&lt;path&gt;/memory.failcnt             65
 * memory/&lt;path&gt;/memory.oom_control         oom_kill_disable 0 / under_oom 0 / oom_kill 1 (4.13+)
 * memory/&lt;path&gt;/memory.stat                total_rss ..., total_cache ... (hierarchical)
 * memory/&lt;path&gt;/memory.memsw.limit_in_bytes (only with swap accounting)
 * cpu/&lt;path&gt;/cpu.cfs_quota_us              10000  (-1 = unlimited)
 * cpu/&lt;path&gt;/cpu.cfs_period_us             100000
 * cpu/&lt;path&gt;/cpu.stat                      nr_periods / nr_throttled / throttled_time (ns)
 * cpuacct/&lt;path&gt;/cpuacct.usage             ns
 * </pre>
 */
final class CgroupV1Reader implements CgroupReader {

  private final CgroupLayout layout;

  CgroupV1Reader(CgroupLayout layout) {
    this.layout = layout;
  }

  @Override
  public CgroupCounters read(String cgroupPath) throws IOException {
    Path mem = dir(layout.memoryRoot(), cgroupPath);
    Path cpu = dir(layout.cpuRoot(), cgroupPath);
    Path cpuacct = dir(layout.cpuacctRoot(), cgroupPath);
    if (mem == null && cpu == null) {
      throw new CgroupGoneException(cgroupPath);
    }
    Long limit = null;
    Long usage = null;
    Long peak = null;
    Long failcnt = null;
    Long oomKill = null;
    Long anon = null;
    Long file = null;
    Long swapLimit = null;
    if (mem != null) {
      limit =
          optionalValue(mem, "memory.limit_in_bytes", cgroupPath, CgroupValueParser::parseV1Limit);
      usage = optionalLong(mem, "memory.usage_in_bytes", cgroupPath);
      peak = optionalLong(mem, "memory.max_usage_in_bytes", cgroupPath);
      failcnt = optionalLong(mem, "memory.failcnt", cgroupPath);
      oomKill = optionalKeyed(mem, "memory.oom_control", cgroupPath).get("oom_kill");
      Map<String, Long> stat = optionalKeyed(mem, "memory.stat", cgroupPath);
      // total_* include child cgroups (what the limit applies to); plain rss/cache are local only.
      anon = firstNonNull(stat.get("total_rss"), stat.get("rss"));
      file = firstNonNull(stat.get("total_cache"), stat.get("cache"));
      swapLimit =
          optionalValue(
              mem, "memory.memsw.limit_in_bytes", cgroupPath, CgroupValueParser::parseV1Limit);
    }
    Long quota = null;
    Long period = null;
    Map<String, Long> cpuStat = Map.of();
    if (cpu != null) {
      quota = optionalValue(cpu, "cpu.cfs_quota_us", cgroupPath, CgroupValueParser::parseV1Quota);
      period = optionalLong(cpu, "cpu.cfs_period_us", cgroupPath);
      cpuStat = optionalKeyed(cpu, "cpu.stat", cgroupPath);
    }
    Long usageNs = cpuacct == null ? null : optionalLong(cpuacct, "cpuacct.usage", cgroupPath);
    List<Integer> pids =
        CgroupFiles.pids(mem != null ? mem : cpu, cgroupPath, CgroupReader.MAX_PIDS);
    return new CgroupCounters(
        1,
        limit,
        usage,
        peak,
        failcnt,
        oomKill,
        null,
        anon,
        file,
        swapLimit,
        quota,
        period,
        usageNs,
        cpuStat.get("nr_periods"),
        cpuStat.get("nr_throttled"),
        cpuStat.get("throttled_time"),
        pids);
  }

  private static Path dir(Path root, String cgroupPath) {
    if (root == null) {
      return null;
    }
    Path dir = CgroupScanner.resolve(root, cgroupPath);
    return Files.isDirectory(dir) ? dir : null;
  }

  private static Long firstNonNull(Long a, Long b) {
    return a != null ? a : b;
  }
}
