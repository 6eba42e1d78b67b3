package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.culprit.collector.testing.Poll;
import dev.culprit.collector.testing.SleepMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probes real JVMs started by the test (this machine's JDK), through the real /proc; and a fixture
 * /proc for what a dying process shows, which a test cannot stop at the right moment.
 */
class JvmInspectorTest {

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

  @Test
  void anEmptyCommandLineOfAnExitingJvmRepeatsItsLastGoodEstimateAndSaysSo(@TempDir Path proc)
      throws Exception {
    JvmInspector probe = javaInspector(proc, "java\0-Xmx1g\0-jar\0app.jar\0");
    JvmInspector.Jvm alive = probeJava(probe);
    // The kernel empties cmdline once the dying process released its memory.
    Files.write(proc.resolve("4242/cmdline"), new byte[0]);

    JvmInspector.Jvm dying = probeJava(probe);

    assertThat(alive.heap().source()).isEqualTo(HeapEstimate.CMDLINE_XMX);
    assertThat(alive.heapFromEarlierRead()).isFalse();
    assertThat(dying.heap()).isEqualTo(alive.heap());
    assertThat(dying.heap().maxHeapBytes()).isEqualTo(1L << 30);
    assertThat(dying.heapFromEarlierRead()).isTrue();
    assertThat(dying.startTimeTicks()).isEqualTo(777L);
  }

  @Test
  void aProcessWhoseStatusVanishedMidReadKeepsItsLastEstimate(@TempDir Path proc) throws Exception {
    JvmInspector probe = javaInspector(proc, "java\0-Xmx1g\0Main\0");
    probe.probe(List.of(4242), 256L << 20);
    Files.delete(proc.resolve("4242/status"));

    JvmInspector.Jvm vanishing = probeJava(probe);

    assertThat(vanishing.heap().maxHeapBytes()).isEqualTo(1L << 30);
    assertThat(vanishing.heapFromEarlierRead()).isTrue();
    assertThat(vanishing.rssBytes()).isNull();
  }

  @Test
  void aDegradedFirstReadTellsTheCeilingIsUnknownRatherThanTheContainerDefault(@TempDir Path proc)
      throws Exception {
    JvmInspector probe = javaInspector(proc, "");

    JvmInspector.Jvm jvm = probeJava(probe);

    assertThat(jvm.heap().source()).isEqualTo(HeapEstimate.UNKNOWN);
    assertThat(jvm.heap().maxHeapBytes()).isNull();
  }

  @Test
  void aReusedPidWithANewStartTimeIsEstimatedAfresh(@TempDir Path proc) throws Exception {
    JvmInspector probe = javaInspector(proc, "java\0-Xmx1g\0Main\0");
    probe.probe(List.of(4242), 256L << 20);
    writeProcess(proc, 4242, "java", "java\0-Xmx64m\0Main\0", 900);

    JvmInspector.Jvm next = probeJava(probe);

    assertThat(next.heap().maxHeapBytes()).isEqualTo(64L << 20);
    assertThat(next.heapFromEarlierRead()).isFalse();
  }

  /** A fixture /proc/PID: comm, cmdline (NUL-separated), status, stat with the start time. */
  /** An inspector (8 GiB of RAM) of {@code proc} holding one java process 4242 of this cmdline. */
  private static JvmInspector javaInspector(Path proc, String cmdline) throws Exception {
    writeProcess(proc, 4242, "java", cmdline, 777);
    return new JvmInspector(proc, 8L << 30, null);
  }

  /** What {@code probe} says of java process 4242 in a 256 MiB container. */
  private static JvmInspector.Jvm probeJava(JvmInspector probe) {
    return probe.probe(List.of(4242), 256L << 20).get(0);
  }

  private static void writeProcess(Path proc, int pid, String comm, String cmdline, long start)
      throws Exception {
    Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
    Files.writeString(dir.resolve("comm"), comm + "\n");
    Files.write(dir.resolve("cmdline"), cmdline.getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("environ"), "");
    Files.writeString(
        dir.resolve("status"), "Name:\t" + comm + "\nNSpid:\t" + pid + "\nVmRSS:\t 1024 kB\n");
    StringBuilder stat = new StringBuilder(pid + " (" + comm + ") S");
    // Fields 4..21, then the start time (field 22), then a few more.
    for (int field = 4; field <= 21; field++) {
      stat.append(" 0");
    }
    stat.append(' ').append(start).append(" 0 0 0\n");
    Files.writeString(dir.resolve("stat"), stat.toString());
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
