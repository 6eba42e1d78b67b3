package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.docker.DockerContainer;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.JvmInfo;
import dev.culprit.collector.source.container.jvm.JvmInspector;
import java.util.ArrayList;
import java.util.List;

/** Builds the contract's {@link ContainerStats} from the cgroup, the engine and the JVM probe. */
final class ContainerStatsBuilder {

  private ContainerStatsBuilder() {}

  /**
   * @param id the container id, or the cgroup path of a plain cgroup
   * @param runtime docker, containerd, ..., systemd or cgroup
   * @param cgroupPath the cgroup path, or null when the cgroup is gone
   * @param counters its counters, or null when gone
   * @param engine the engine's view, or null
   * @param jvms the JVMs inside
   */
  static ContainerStats build(
      String id,
      String runtime,
      String cgroupPath,
      CgroupCounters counters,
      DockerContainer engine,
      List<JvmInspector.Jvm> jvms) {
    ContainerStats.Builder b =
        ContainerStats.newBuilder()
            .setId(id)
            .setRuntime(runtime)
            .setCgroupPath(cgroupPath)
            .setPids(List.of())
            .setJvms(toJvmInfos(jvms));
    if (counters != null) {
      b.setCgroupVersion(counters.version())
          .setPids(new ArrayList<>(counters.pids()))
          .setMemoryLimitBytes(counters.memoryLimitBytes())
          .setMemoryUsageBytes(counters.memoryUsageBytes())
          .setMemoryPeakBytes(counters.memoryPeakBytes())
          .setMemoryFailcnt(counters.memoryFailcnt())
          .setOomKillCount(counters.oomKillCount())
          .setOomCount(counters.oomCount())
          .setAnonBytes(counters.anonBytes())
          .setFileBytes(counters.fileBytes())
          .setSwapLimitBytes(counters.swapLimitBytes())
          .setCpuQuotaUs(counters.cpuQuotaUs())
          .setCpuPeriodUs(counters.cpuPeriodUs())
          .setCpuUsageNs(counters.cpuUsageNs())
          .setCpuPeriods(counters.cpuPeriods())
          .setCpuThrottledPeriods(counters.cpuThrottledPeriods())
          .setCpuThrottledNs(counters.cpuThrottledNs());
    }
    if (engine != null) {
      b.setName(engine.name())
          .setImage(engine.image())
          .setState(engine.status())
          .setExitCode(engine.exitCode())
          .setOomKilled(engine.oomKilled())
          .setRestartCount(engine.restartCount())
          .setStartedAtMs(engine.startedAtMs())
          .setFinishedAtMs(engine.finishedAtMs())
          .setEngineMemoryLimitBytes(engine.memoryLimitBytes())
          .setEngineNanoCpus(engine.nanoCpus());
    }
    return b.build();
  }

  /** The runtime label of a cgroup that is not a recognised container. */
  static String plainRuntime(String cgroupPath) {
    return cgroupPath.endsWith(".service")
            || cgroupPath.endsWith(".scope")
            || cgroupPath.endsWith(".slice")
        ? "systemd"
        : "cgroup";
  }

  private static List<JvmInfo> toJvmInfos(List<JvmInspector.Jvm> jvms) {
    List<JvmInfo> infos = new ArrayList<>(jvms.size());
    for (JvmInspector.Jvm j : jvms) {
      infos.add(
          JvmInfo.newBuilder()
              .setPid(j.pid())
              .setNsPid(j.nsPid())
              .setMaxHeapBytes(j.heap().maxHeapBytes())
              .setHeapSource(j.heap().source())
              .setFlags(new ArrayList<>(j.heap().flags()))
              .setVersion(j.heap().javaVersion())
              .setRssBytes(j.rssBytes())
              .setStartTimeTicks(j.startTimeTicks())
              .setHeapFromEarlierRead(j.heapFromEarlierRead())
              .build());
    }
    return infos;
  }
}
