package dev.culprit.collector.platform.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.exec.CommandRunner.CommandException;
import dev.culprit.collector.platform.exec.CommandRunner.Result;
import dev.culprit.collector.spi.NoDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
  void refusesOutputBeyondItsCeiling() {
    ProcessCommandRunner small = new ProcessCommandRunner(1024);

    assertThatThrownBy(
            () -> small.run(List.of("busybox", "head", "-c", "100000", "/dev/zero"), TIMEOUT))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("exceeds");
  }
}
