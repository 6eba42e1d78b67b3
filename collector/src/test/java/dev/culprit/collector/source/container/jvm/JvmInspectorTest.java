package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.culprit.collector.testing.Poll;
import dev.culprit.collector.testing.SleepMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probes real JVMs started by the test (this machine's JDK), through the real /proc. */
class JvmProbeTest {

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopJvms() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  @Test
  void readsTheHeapCeilingFromTheRunningJvmsPerformanceData() throws Exception {
    assumeLinux();
    Process jvm = startJvm("-XX:+UseSerialGC", "-Xmx200m");
    JvmInspector probe = new JvmInspector(Path.of("/proc"));

    JvmInspector.Jvm found =
        Poll.until(
            Duration.ofSeconds(20),
            "the JVM's performance data",
            () -> {
              List<JvmInspector.Jvm> jvms = probe.probe(List.of((int) jvm.pid()), null);
              return jvms.size() == 1 && jvms.get(0).heap().source().equals("hsperfdata")
                  ? jvms.get(0)
                  : null;
            });

    assertThat(found.pid()).isEqualTo((int) jvm.pid());
    assertThat(found.heap().maxHeapBytes()).isEqualTo(200L << 20);
    assertThat(found.heap().flags()).containsExactly("-Xmx200m");
    assertThat(found.heap().javaVersion()).isEqualTo(System.getProperty("java.version"));
    assertThat(found.rssBytes()).isPositive();
    assertThat(found.nsPid()).isEqualTo((int) jvm.pid());
  }

  @Test
  void fallsBackToTheCommandLineWhenTheJvmKeepsNoPerformanceData() throws Exception {
    assumeLinux();
    Process jvm = startJvm("-XX:-UsePerfData", "-XX:MaxRAMPercentage=30");
    JvmInspector probe = new JvmInspector(Path.of("/proc"), 8L << 30, null);

    List<JvmInspector.Jvm> jvms =
        probe.probe(List.of((int) jvm.pid(), (int) ProcessHandle.current().pid()), 1L << 30);

    assertThat(jvms).hasSize(2);
    JvmInspector.Jvm child = jvms.get(0);
    assertThat(child.heap().source()).isEqualTo("cmdline-maxrampercentage");
    // java -XX:MaxRAM=1g -XX:MaxRAMPercentage=30 -XX:+PrintFlagsFinal says 322961408.
    assertThat(child.heap().maxHeapBytes()).isEqualTo(322961408L);
    assertThat(child.heap().javaVersion()).isEqualTo(System.getProperty("java.version"));
  }

  @Test
  void ignoresProcessesThatAreNotJavaAndPidsThatVanished() throws Exception {
    assumeLinux();
    Process sleep = new ProcessBuilder("sleep", "30").start();
    started.add(sleep);
    JvmInspector probe = new JvmInspector(Path.of("/proc"));

    assertThat(probe.probe(List.of((int) sleep.pid(), 999_999_999), null)).isEmpty();
  }

  private Process startJvm(String... flags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(flags));
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), SleepMain.class.getName(), "60000"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  private static void assumeLinux() {
    assumeThat(Files.isDirectory(Path.of("/proc/self"))).as("needs Linux /proc").isTrue();
  }
}
