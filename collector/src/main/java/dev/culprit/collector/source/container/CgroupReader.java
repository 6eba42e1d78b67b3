package dev.culprit.collector.source.container;

import java.io.IOException;

/** Reads one cgroup's counters; one implementation per cgroup version. */
public interface CgroupReader {

  /** Pids reported per cgroup: enough to find the JVMs, bounded for huge cgroups. */
  int MAX_PIDS = 64;

  /**
   * @param cgroupPath the path relative to the hierarchy root, starting with "/"
   * @throws CgroupGoneException when the cgroup disappeared (its container exited)
   * @throws CgroupFormatException when a file is not in a known format
   */
  CgroupCounters read(String cgroupPath) throws IOException;

  /** The reader for a layout. */
  static CgroupReader forLayout(CgroupLayout layout) {
    return layout.version() == 2 ? new CgroupV2Reader(layout) : new CgroupV1Reader(layout);
  }
}
