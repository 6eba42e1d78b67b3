package dev.culprit.collector.platform.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.exec.CommandRunner.CommandException;
import dev.culprit.collector.platform.exec.CommandRunner.Result;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.TooLargeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandRunnerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  @BeforeAll
  static void needsBusybox() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")), "needs /usr/bin/busybox");
  }

  @Test
  void passesArgumentsVerbatimWithoutAShell() throws Exception {
    Result result = runner.run(List.of("busybox", "echo", "$HOME; `id` *"), TIMEOUT);

    assertThat(result.stdout()).isEqualTo("$HOME; `id` *\n");
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void runsWithTheCLocale() throws Exception {
    Result result = runner.run(List.of("busybox", "env"), TIMEOUT);

    assertThat(result.stdout().lines()).contains("LANG=C", "LC_ALL=C");
  }

  @Test
  void reportsAMissingProgramAsNoData() {
    assertThatThrownBy(() -> runner.run(List.of("culprit-no-such-tool", "-x"), TIMEOUT))
        .isInstanceOf(NoDataException.class)
        .hasMessageContaining("culprit-no-such-tool");
  }

  @Test
  void reportsANonZeroExitWithItsStderr() {
    assertThatThrownBy(
            () -> runner.run(List.of("busybox", "sh", "-c", "echo boom >&2; exit 3"), TIMEOUT))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("exited 3")
        .hasMessageContaining("boom");
  }

  @Test
  void killsACommandThatOutlivesItsTimeout() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> runner.run(List.of("busybox", "sleep", "30"), Duration.ofMillis(300)))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void drainsLargeStdoutAndStderrTogetherWithoutDeadlock() throws Exception {
    // 1 MiB on each stream is far past a 64 KiB pipe: a sequential reader would hang here.
    String script =
        "i=0; while [ $i -lt 16 ]; do busybox head -c 65536 /dev/zero | busybox tr '\\0' e >&2;"
            + " busybox head -c 65536 /dev/zero | busybox tr '\\0' o; i=$((i+1)); done";
    Result result = runner.run(List.of("busybox", "sh", "-c", script), TIMEOUT);

    assertThat(result.stdout()).hasSize(1 << 20);
    assertThat(result.stderr()).hasSize(1 << 20);
  }

  @Test
  void killsAChildWhoseOutputPassesTheCapAndSaysItWasTooLarge() {
    ProcessCommandRunner small = new ProcessCommandRunner(ToolPath.system(), 1024, 1024);
    long start = System.nanoTime();

    // "yes" would print forever: only the cap (and the kill) ends it.
    assertThatThrownBy(() -> small.run(List.of("busybox", "yes"), TIMEOUT))
        .isInstanceOf(CommandRunner.OutputTooLargeException.class)
        .hasMessageContaining("larger than 1024 bytes")
        .hasCauseInstanceOf(TooLargeException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void outputOfExactlyTheCapIsKept() throws Exception {
    ProcessCommandRunner small = new ProcessCommandRunner(ToolPath.system(), 1024, 1024);

    Result result = small.run(List.of("busybox", "head", "-c", "1024", "/dev/zero"), TIMEOUT);

    assertThat(result.stdout()).hasSize(1024);
  }

  @Test
  void runsTheProgramOfTheToolPathNotOfTheInheritedPath(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables-save")), "needs iptables-save");
    Path fake = Files.createDirectories(dir.resolve("evil-bin"));
    Path fakeTool = fake.resolve("iptables-save");
    Files.writeString(fakeTool, "#!/bin/sh\necho FAKE-IPTABLES-SAVE\n");
    fakeTool.toFile().setExecutable(true);
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder agent =
        new ProcessBuilder(
                javaBin.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RunOneToolMain.class.getName(),
                "iptables-save",
                "--version")
            .redirectErrorStream(true);
    agent.environment().put("PATH", fake + ":" + System.getenv("PATH"));

    Process process = agent.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    assertThat(output).doesNotContain("FAKE-IPTABLES-SAVE").contains("iptables-save v");
    assertThat(output).contains("tool iptables-save: /usr/sbin/iptables-save");
  }

  @Test
  void aConfiguredToolPathIsTheOnlyPlaceProgramsAreFound(@TempDir Path dir) throws Exception {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Path tool = tools.resolve("culprit-tool");
    Files.writeString(tool, "#!/bin/sh\necho from-tool-path \"$PATH\"\n");
    tool.toFile().setExecutable(true);
    ProcessCommandRunner runner = new ProcessCommandRunner(ToolPath.of(tools.toString()));

    assertThat(runner.run(List.of("culprit-tool"), TIMEOUT).stdout())
        .isEqualTo("from-tool-path " + tools + "\n");
    assertThat(runner.installed("busybox")).as("busybox is not in that path").isFalse();
    assertThatThrownBy(() -> runner.run(List.of("busybox", "true"), TIMEOUT))
        .isInstanceOf(NoDataException.class)
        .hasMessageContaining(tools.toString());
  }

  @Test
  void aToolPathRefusesRelativeDirectories() {
    assertThatThrownBy(() -> ToolPath.of("bin:/usr/bin"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
