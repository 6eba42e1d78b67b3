package dev.culprit.processor.rules.oom;

import static dev.culprit.processor.oom.OomFixtures.HOST;
import static dev.culprit.processor.oom.OomFixtures.MIB;
import static dev.culprit.processor.oom.OomFixtures.TOMCAT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.oom.OomFixtures;
import dev.culprit.processor.rules.HostileWords;
import dev.culprit.processor.rules.ShellHarness;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.RootCause;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory and CPU rules fed a container, process and JVM flags named with hostile words: docker
 * commands hold the container's name as one argument and run on the host, and advice runs nothing.
 */
class HostileContainerRemediationTest {

  private static final OomThresholds T = OomThresholds.defaults();
  private static final long T0 = 1_795_849_460_000L;

  @TempDir Path dir;

  @Test
  void dockerFixesHoldTheContainersNameAsOneArgumentWhateverItIs() throws Exception {
    ShellHarness sh = new ShellHarness(dir);
    for (String w : HostileWords.of(sh.canary(), 20)) {
      RootCause cpu = throttled(w);
      assertThat(cpu.getFix().getArgv()).containsExactly("docker", "update", "--cpus", "1", w);
      assertThat(cpu.getFix().getScope().getKind()).isEqualTo(FixScopeKind.HOST);
      sh.assertRunsExactly(cpu.getFix(), cpu.getRemediation());

      RootCause growth = grew(w);
      assertThat(growth.getCause()).isEqualTo(Cause.PROCESS_MEMORY_GROWTH);
      assertThat(growth.getFix().getArgv())
          .containsExactly("docker", "update", "--memory", "128m", "--memory-swap", "128m", w);
      sh.assertRunsExactly(growth.getFix(), growth.getRemediation());

      RootCause nonHeap = nonHeap(w);
      assertThat(nonHeap.getCause()).isEqualTo(Cause.JVM_NON_HEAP_GROWTH);
      assertThat(nonHeap.getFix().getArgv())
          .containsExactly("docker", "update", "--memory", "768m", "--memory-swap", "768m", w);
      sh.assertRunsExactly(nonHeap.getFix(), nonHeap.getRemediation());

      RootCause heap = heap(w);
      assertThat(heap.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
      assertThat(heap.getFix().getArgv()).isEmpty();
      sh.assertRunsExactly(heap.getFix(), heap.getRemediation());
    }
  }

  private static RootCause throttled(String name) {
    return CpuThrottleRule.evaluate(
            HOST,
            OomFixtures.periodic(T0, cpu(name, 0, 0, 0, 0)),
            OomFixtures.periodic(T0 + 10_000, cpu(name, 100, 92, 8_280_000_000L, 1_000_000_000L)),
            T0,
            T0 + 10_000,
            T)
        .orElseThrow();
  }

  private static ContainerStats cpu(
      String name, long periods, long throttled, long throttledNs, long usageNs) {
    return OomFixtures.cpuLimited(name, periods, throttled, throttledNs, usageNs);
  }

  private static RootCause grew(String name) {
    return OomRules.explain(OomFixtures.grewToItsLimit(name, name), T).orElseThrow();
  }

  private static RootCause nonHeap(String name) {
    ContainerStats app =
        OomFixtures.docker(TOMCAT_ID, name, 512 * MIB, 500 * MIB)
            .setJvms(List.of(OomFixtures.jvm(27281, 256 * MIB, "hsperfdata", name)))
            .build();
    KernelOomSample kill =
        OomFixtures.seedKill()
            .setVictimName(name)
            .setAnonRssKb(500 * 1024L)
            .setFileRssKb(12 * 1024L)
            .setShmemRssKb(0L)
            .build();
    return explain(kill, app);
  }

  private static RootCause heap(String name) {
    ContainerStats app =
        OomFixtures.docker(TOMCAT_ID, name, 512 * MIB, 500 * MIB)
            .setJvms(List.of(OomFixtures.jvm(27281, 480 * MIB, "cmdline-xmx", name)))
            .build();
    return explain(OomFixtures.seedKill().setVictimName(name).build(), app);
  }

  private static RootCause explain(KernelOomSample kill, ContainerStats before) {
    return OomRules.explain(OomFixtures.killAfter(kill, before), T).orElseThrow();
  }
}
