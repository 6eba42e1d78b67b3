package dev.culprit.processor.oom;

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
