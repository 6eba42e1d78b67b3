package dev.culprit.processor.oom;

import dev.culprit.processor.rules.oom.KillContext;
import dev.culprit.processor.rules.oom.Observation;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.JvmInfo;
import dev.culprit.schemas.KernelOomSample;
import java.util.ArrayList;
import java.util.List;

/**
 * Container and kernel records for rule tests, with the numbers of the captured kills (the seed's
 * Tomcat, the lab's JVM and shell under dockerd 20.10 on kernel 6.18).
 */
public final class OomFixtures {

  public static final String HOST = "host-a";
  public static final String TOMCAT_ID =
      "0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53";
  public static final long MIB = 1L << 20;
  public static final long KILL_MS = 1_795_849_465_268L;

  private OomFixtures() {}

  /** A running Docker container as the collector reports it. */
  public static ContainerStats.Builder docker(String id, String name, long limit, long usage) {
    return ContainerStats.newBuilder()
        .setId(id)
        .setName(name)
        .setRuntime("docker")
        .setCgroupPath("/docker/" + id)
        .setCgroupVersion(1)
        .setImage("feisky/tomcat:8")
        .setState("running")
        .setExitCode(0)
        .setOomKilled(false)
        .setRestartCount(0)
        .setPids(new ArrayList<>(List.of(27281)))
        .setMemoryLimitBytes(limit)
        .setMemoryUsageBytes(usage)
        .setMemoryFailcnt(0L)
        .setOomKillCount(0L)
        .setEngineMemoryLimitBytes(limit)
        .setJvms(new ArrayList<>());
  }

  /** A plain cgroup without an engine. */
  public static ContainerStats.Builder cgroup(String path, long limit, long usage) {
    return ContainerStats.newBuilder()
        .setId(path)
        .setRuntime("cgroup")
        .setCgroupPath(path)
        .setCgroupVersion(1)
        .setPids(new ArrayList<>())
        .setMemoryLimitBytes(limit)
        .setMemoryUsageBytes(usage)
        .setJvms(new ArrayList<>());
  }

  public static JvmInfo jvm(int pid, long maxHeap, String source, String... flags) {
    return JvmInfo.newBuilder()
        .setPid(pid)
        .setNsPid(1)
        .setMaxHeapBytes(maxHeap)
        .setHeapSource(source)
        .setFlags(new ArrayList<>(List.of(flags)))
        .setVersion("1.8.0_181")
        .setRssBytes(300 * MIB)
        .build();
  }

  /**
   * The seed's tomcat: a JVM whose default heap (2 GiB, a quarter of the host's RAM) in 512 MiB.
   */
  public static ContainerStats seedTomcat(long usage) {
    return docker(TOMCAT_ID, "tomcat", 512 * MIB, usage)
        .setJvms(List.of(jvm(27281, 2092957696L, "default-host-ram")))
        .build();
  }

  /** {@code kill} in the tomcat container, seen as {@code before} one second earlier. */
  public static KillContext killAfter(KernelOomSample kill, ContainerStats before) {
    return new KillContext(
        HOST,
        TOMCAT_ID,
        kill,
        kill.getKillTimeMs(),
        List.of(periodic(kill.getKillTimeMs() - 1000, before)));
  }

  /** The seed's kill as the collector would publish it (kernel 4.x: no anon-rss split). */
  public static KernelOomSample.Builder seedKill() {
    return KernelOomSample.newBuilder()
        .setHost(HOST)
        .setNetns("")
        .setSampleTimeMs(KILL_MS + 500)
        .setCollectorId("c-1")
        .setBootId("boot-1")
        .setSeq(1)
        .setKmsgSeq(4711)
        .setKernelTimeUs(193038106574L)
        .setKillTimeMs(KILL_MS)
        .setVictimPid(27281)
        .setVictimName("java")
        .setConstraint("CONSTRAINT_MEMCG")
        .setMemcg("/docker/" + TOMCAT_ID)
        .setTaskMemcg("/docker/" + TOMCAT_ID)
        .setContainerId(TOMCAT_ID)
        .setTotalVmKb(4613208L)
        .setMemUsageKb(524288L)
        .setMemLimitKb(524288L)
        .setMemFailcnt(77L)
        .setLines(new ArrayList<>());
  }

  /** The lab's shell child killed in its 64 MiB container while the container ran on. */
  public static KernelOomSample childKill() {
    return seedKill()
        .setVictimName("sh")
        .setVictimPid(3586)
        .setMemLimitKb(65536L)
        .setMemUsageKb(65536L)
        .build();
  }

  /**
   * A container {@code name} whose memory grew from 8 MiB by 10 MiB a second to its 64 MiB limit,
   * sampled every second, until the kernel killed {@code victim} (pid 2964) and it exited 137.
   */
  public static KillContext grewToItsLimit(String name, String victim) {
    String id = "1043cb870907fe525148a8686f98e46f2a76557e163ab3428ffcec724b8f6b4a";
    List<Observation> obs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      obs.add(
          periodic(
              KILL_MS - 5000 + i * 1000L, docker(id, name, 64 * MIB, (8 + 10 * i) * MIB).build()));
    }
    KernelOomSample kill =
        seedKill()
            .setContainerId(id)
            .setVictimName(victim)
            .setVictimPid(2964)
            .setMemLimitKb(65536L)
            .setMemUsageKb(65536L)
            .setAnonRssKb(64640L)
            .setFileRssKb(1264L)
            .setShmemRssKb(0L)
            .build();
    obs.add(died(KILL_MS + 50, exited(obs.get(5).stats(), 137, true)));
    return new KillContext(HOST, id, kill, KILL_MS, obs);
  }

  /** A Docker container limited to a tenth of a CPU, with its CFS counters. */
  public static ContainerStats cpuLimited(
      String name, long periods, long throttled, long throttledNs, long usageNs) {
    return docker(TOMCAT_ID, name, 512 * MIB, 100 * MIB)
        .setCpuQuotaUs(10_000L)
        .setCpuPeriodUs(100_000L)
        .setEngineNanoCpus(100_000_000L)
        .setCpuPeriods(periods)
        .setCpuThrottledPeriods(throttled)
        .setCpuThrottledNs(throttledNs)
        .setCpuUsageNs(usageNs)
        .build();
  }

  public static Observation periodic(long timeMs, ContainerStats stats) {
    return new Observation(timeMs, "c-1", null, stats);
  }

  public static Observation died(long timeMs, ContainerStats stats) {
    return new Observation(timeMs, "c-1", "die", stats);
  }

  /** The container after it exited: the engine's final state, no cgroup any more. */
  public static ContainerStats exited(ContainerStats running, int exitCode, boolean oomKilled) {
    return ContainerStats.newBuilder(running)
        .setState("exited")
        .setExitCode(exitCode)
        .setOomKilled(oomKilled)
        .setCgroupPath(null)
        .setMemoryLimitBytes(null)
        .setMemoryUsageBytes(null)
        .setPids(new ArrayList<>())
        .build();
  }
}
