package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ending lab processes must end exactly the lab's: these run real child processes (no root needed)
 * and check that a reused pid or another lab's process is never signalled.
 */
class DetachedProcessesTest {

  private static final Path PROC = Path.of("/proc");

  @TempDir Path stateDir;
  private final List<Process> started = new ArrayList<>();
  private DetachedProcesses processes;

  @BeforeEach
  void needsProcfs() {
    assumeTrue(Files.isDirectory(PROC.resolve("self")), "needs Linux /proc");
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
    processes = new DetachedProcesses(PROC, stateDir, Tools.search(List.of()));
  }

  @AfterEach
  void endWhatThisTestStarted() {
    started.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void recognisesAProcessByPidAndStartTimeOnly() throws Exception {
    Process sleeper = start(null, null, "sleep", "60");
    long ticks = ProcPidStat.liveStartTicks(PROC, sleeper.pid()).orElseThrow();

    assertThat(processes.isAlive(record(sleeper, ticks))).isTrue();
    assertThat(processes.isAlive(record(sleeper, ticks - 1))).isFalse(); // the pid was "reused"
  }

  @Test
  void neverSignalsAPidThatNowBelongsToAnotherProcess() throws Exception {
    Process stranger = start(null, null, "sleep", "60");
    long ticks = ProcPidStat.liveStartTicks(PROC, stranger.pid()).orElseThrow();

    Set<Long> left = processes.stop(List.of(record(stranger, ticks + 1)), role -> true);

    assertThat(left).isEmpty();
    assertThat(stranger.isAlive()).isTrue();
  }

  @Test
  void endsARecordedProcessAndTheMarkedChildrenItLeavesBehind() throws Exception {
    // The shell starts a marked grandchild and is then killed first: the sweep must find it.
    Process loop = start(stateDir, "client-1-web", "sh", "-c", "sleep 60 & sleep 60 & wait");
    long ticks = ProcPidStat.liveStartTicks(PROC, loop.pid()).orElseThrow();
    assertThat(
            LabContext.await(
                Duration.ofSeconds(5),
                () -> processes.marked(role -> role.equals("client-1-web")).size() == 3))
        .isTrue();

    Set<Long> left =
        processes.stop(List.of(record(loop, ticks)), role -> role.startsWith("client-1"));

    assertThat(left).isEmpty();
    assertThat(loop.isAlive()).isFalse();
    assertThat(processes.marked(role -> true)).isEmpty();
  }

  @Test
  void sweepsOnlyTheRolesAskedForAndOnlyThisLabsProcesses() throws Exception {
    Process overflow = start(stateDir, "client-1-overflow", "sleep", "60");
    Process web = start(stateDir, "client-1-web", "sleep", "60");
    Process otherLab = start(stateDir.resolve("other"), "client-1-overflow", "sleep", "60");

    Set<Long> left = processes.stop(List.of(), role -> role.endsWith("-overflow"));

    assertThat(left).isEmpty();
    assertThat(overflow.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(web.isAlive()).isTrue();
    assertThat(otherLab.isAlive()).isTrue();
  }

  private Process start(Path markerDir, String role, String... argv) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(argv);
    if (markerDir != null) {
      builder
          .environment()
          .put(DetachedProcesses.STATE_ENV, markerDir.toAbsolutePath().normalize().toString());
      builder.environment().put(DetachedProcesses.ROLE_ENV, role);
    }
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static LabProcess record(Process process, long ticks) {
    return new LabProcess("test", "culprit-test", process.pid(), ticks, null, List.of());
  }
}
