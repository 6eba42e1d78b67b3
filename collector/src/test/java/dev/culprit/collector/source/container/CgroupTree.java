package dev.culprit.collector.source.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds cgroup directory trees with the files a kernel would show, in a temp dir. */
final class CgroupTree {

  private final Path root;

  CgroupTree(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** Writes {@code relative} (for example "memory/docker/ID/memory.failcnt") with a newline. */
  CgroupTree file(String relative, String content) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content.endsWith("\n") ? content : content + "\n");
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  CgroupTree dir(String relative) {
    try {
      Files.createDirectories(root.resolve(relative));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A v1 tree with the root files that mark each controller as mounted. */
  static CgroupTree v1(Path root) {
    return new CgroupTree(root)
        .file("memory/memory.usage_in_bytes", "1000")
        .file("memory/memory.limit_in_bytes", "9223372036854771712")
        .file("cpu/cpu.cfs_quota_us", "-1")
        .file("cpuacct/cpuacct.usage", "5")
        .dir("unified");
  }

  /** A v1 memory + cpu group as Docker's cgroupfs driver makes it, under {@code path}. */
  CgroupTree v1Group(String path, long limitBytes, long quotaUs) {
    String m = "memory" + path + "/";
    String c = "cpu" + path + "/";
    return file(m + "memory.limit_in_bytes", Long.toString(limitBytes))
        .file(m + "memory.usage_in_bytes", "67108864")
        .file(m + "memory.max_usage_in_bytes", "67108864")
        .file(m + "memory.failcnt", "63")
        .file(m + "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1")
        .file(
            m + "memory.stat",
            "cache 4096\nrss 60000000\nrss_huge 0\ntotal_cache 8192\ntotal_rss 66000000\n")
        .file(m + "memory.memsw.limit_in_bytes", Long.toString(limitBytes * 2))
        .file(m + "cgroup.procs", "20206\n20210\n")
        .file(c + "cpu.cfs_quota_us", Long.toString(quotaUs))
        .file(c + "cpu.cfs_period_us", "100000")
        .file(
            c + "cpu.stat",
            "nr_periods 40\nnr_throttled 36\nthrottled_time 3240000000\nnr_bursts 0\nburst_time 0")
        .file("cpuacct" + path + "/cpuacct.usage", "400000000");
  }
}
