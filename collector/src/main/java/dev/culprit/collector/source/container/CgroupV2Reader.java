package dev.culprit.collector.source.container;

import static dev.culprit.collector.source.container.CgroupFiles.optionalKeyed;
import static dev.culprit.collector.source.container.CgroupFiles.optionalLong;
import static dev.culprit.collector.source.container.CgroupFiles.optionalValue;
import static dev.culprit.collector.source.container.CgroupFiles.times;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a cgroup v2 group.
 *
 * <pre>
 * memory.max       536870912 | max
 * memory.current   ...
 * memory.peak      ...                      (5.19+)
 * memory.events    low 0 / high 0 / max 12 / oom 1 / oom_kill 1 [/ oom_group_kill 0]
 * memory.stat      anon ... / file ... / ...
 * memory.swap.max  max
 * cpu.max          10000 100000 | max 100000
 * cpu.stat         usage_usec / nr_periods / nr_throttled / throttled_usec
 * </pre>
 *
 * <p>{@code memory.events} counts events of the whole subtree (what the limit applies to); {@code
 * max} is the number of times usage was about to exceed the limit, v2's failcnt. Files of
 * controllers the parent did not enable are absent and read as null.
 */
final class CgroupV2Reader implements CgroupReader {

  private final CgroupLayout layout;

  CgroupV2Reader(CgroupLayout layout) {
    this.layout = layout;
  }

  @Override
  public CgroupCounters read(String cgroupPath) throws IOException {
    Path dir = CgroupScanner.resolve(layout.memoryRoot(), cgroupPath);
    if (!Files.isDirectory(dir)) {
      throw new CgroupGoneException(cgroupPath);
    }
    Long limit = optionalValue(dir, "memory.max", cgroupPath, CgroupValueParser::parseV2Max);
    Map<String, Long> events = optionalKeyed(dir, "memory.events", cgroupPath);
    Map<String, Long> stat = optionalKeyed(dir, "memory.stat", cgroupPath);
    Long swapLimit =
        optionalValue(dir, "memory.swap.max", cgroupPath, CgroupValueParser::parseV2Max);
    Long[] cpuMax = optionalValue(dir, "cpu.max", cgroupPath, CgroupValueParser::parseV2CpuMax);
    if (cpuMax == null) {
      cpuMax = new Long[] {null, null};
    }
    Map<String, Long> cpuStat = optionalKeyed(dir, "cpu.stat", cgroupPath);
    return new CgroupCounters(
        2,
        limit,
        optionalLong(dir, "memory.current", cgroupPath),
        optionalLong(dir, "memory.peak", cgroupPath),
        events.get("max"),
        events.get("oom_kill"),
        events.get("oom"),
        stat.get("anon"),
        stat.get("file"),
        swapLimit,
        cpuMax[0],
        cpuMax[1],
        times(cpuStat.get("usage_usec"), 1000),
        cpuStat.get("nr_periods"),
        cpuStat.get("nr_throttled"),
        times(cpuStat.get("throttled_usec"), 1000),
        CgroupFiles.pids(dir, cgroupPath, CgroupReader.MAX_PIDS));
  }
}
