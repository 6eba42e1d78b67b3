package dev.culprit.collector.source.container;

import java.util.List;

/**
 * What the cgroup filesystem says about one cgroup, v1 or v2 alike. Null means the file is absent
 * (older kernel, controller not enabled) or the value is "unlimited" — never zero.
 *
 * @param version 1 or 2
 * @param memoryLimitBytes gauge: memory limit, null = unlimited
 * @param memoryUsageBytes gauge: usage now
 * @param memoryPeakBytes gauge: max usage (v1 max_usage_in_bytes, v2 memory.peak on 5.19+)
 * @param memoryFailcnt counter: times usage hit the limit (v1 failcnt, v2 memory.events max)
 * @param oomKillCount counter: OOM kills (v1 oom_control oom_kill on 4.13+, v2 events oom_kill)
 * @param oomCount counter: OOM killer invocations (v2 memory.events oom only)
 * @param anonBytes gauge: anonymous memory (v1 total_rss, v2 anon)
 * @param fileBytes gauge: page cache (v1 total_cache, v2 file)
 * @param swapLimitBytes gauge: v1 memory+swap limit / v2 swap limit, null = unlimited
 * @param cpuQuotaUs gauge: CFS quota per period, null = unlimited
 * @param cpuPeriodUs gauge: CFS period
 * @param cpuUsageNs counter: CPU time used
 * @param cpuPeriods counter: nr_periods
 * @param cpuThrottledPeriods counter: nr_throttled
 * @param cpuThrottledNs counter: throttled time in ns (v2 throttled_usec converted)
 * @param pids host pids of the processes in the cgroup (capped)
 */
public record CgroupCounters(
    int version,
    Long memoryLimitBytes,
    Long memoryUsageBytes,
    Long memoryPeakBytes,
    Long memoryFailcnt,
    Long oomKillCount,
    Long oomCount,
    Long anonBytes,
    Long fileBytes,
    Long swapLimitBytes,
    Long cpuQuotaUs,
    Long cpuPeriodUs,
    Long cpuUsageNs,
    Long cpuPeriods,
    Long cpuThrottledPeriods,
    Long cpuThrottledNs,
    List<Integer> pids) {

  public CgroupCounters {
    pids = List.copyOf(pids);
  }
}
