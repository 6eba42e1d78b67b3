package dev.culprit.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Starts the lab's long-running workloads and ends them again, touching no other process.
 *
 * <p>Every workload runs as {@code setsid ip netns exec NS …}: {@code setsid} detaches it from the
 * terminal so it outlives the {@code culprit lab up} that started it (and a Ctrl-C there), and both
 * {@code setsid} (we are never a process-group leader) and {@code ip netns exec} exec in place, so
 * the pid Java sees is the workload's pid. Each also carries two environment markers, inherited by
 * its children ({@code wget}, {@code sleep}): the state directory and its role. Ending a workload
 * signals its recorded pid only when the start time still matches (pids get reused), then sweeps
 * the processes that carry its markers, which catches children and any workload a crashed {@code
 * up} started but never recorded.
 */
public final class DetachedProcesses {

  static final String STATE_ENV = "CULPRIT_LAB_STATE";
  static final String ROLE_ENV = "CULPRIT_LAB_ROLE";
  private static final Duration GRACE = Duration.ofSeconds(3);
  private static final Duration KILL_WAIT = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(50);

  private final Path procRoot;
  private final Path stateDir;
  private final Tools tools;

  public DetachedProcesses(Path procRoot, Path stateDir, Tools tools) {
    this.procRoot = procRoot;
    this.stateDir = stateDir.toAbsolutePath().normalize();
    this.tools = tools;
  }

  /**
   * Starts {@code argv} inside {@code netns}, detached.
   *
   * @param log where its output goes; null discards it (the chatty client loops)
   */
  public LabProcess spawn(String role, String netns, List<String> argv, FaultKind owner, Path log) {
    List<String> command = new ArrayList<>();
    command.add(tools.path(Tools.Tool.SETSID));
    command.add(tools.path(Tools.Tool.IP));
    command.addAll(List.of("netns", "exec", netns));
    command.addAll(argv);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LANG", "C");
    builder.environment().put(STATE_ENV, stateDir.toString());
    builder.environment().put(ROLE_ENV, role);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (log == null) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    } else {
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new LabException("cannot start " + role + " (" + String.join(" ", argv) + "): " + e, e);
    }
    OptionalLong ticks = ProcPidStat.liveStartTicks(procRoot, process.pid());
    if (ticks.isEmpty()) {
      throw new LabException(
          role + " exited at once" + (log == null ? "" : "; see " + log) + ": " + argv);
    }
    return new LabProcess(
        role,
        netns,
        process.pid(),
        ticks.getAsLong(),
        owner == null ? null : owner.cliName(),
        argv);
  }

  /** True while the recorded process (same pid, same start time) is running. */
  public boolean isAlive(LabProcess process) {
    OptionalLong ticks = ProcPidStat.liveStartTicks(procRoot, process.pid());
    return ticks.isPresent() && ticks.getAsLong() == process.startTicks();
  }

  /**
   * Ends the {@code recorded} processes and every process marked with a role that {@code roles}
   * accepts: SIGTERM, then SIGKILL for whatever is still there after a grace period.
   *
   * @return the pids that would not die, normally none
   */
  public Set<Long> stop(Collection<LabProcess> recorded, Predicate<String> roles) {
    // The loops first, so they cannot spawn new children while those are being swept.
    for (LabProcess process : recorded) {
      if (isAlive(process)) {
        signal(process.pid(), false);
      }
    }
    Set<Long> left = remaining(recorded, roles);
    Instant deadline = Instant.now().plus(GRACE);
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      left.forEach(pid -> signal(pid, false));
      pause();
      left = remaining(recorded, roles);
    }
    left.forEach(pid -> signal(pid, true));
    deadline = Instant.now().plus(KILL_WAIT);
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      pause();
      left = remaining(recorded, roles);
    }
    return left;
  }

  /** Pids of live processes carrying this lab's markers with a role {@code roles} accepts. */
  public Set<Long> marked(Predicate<String> roles) {
    Set<Long> pids = new LinkedHashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == ProcessHandle.current().pid()) {
          continue;
        }
        String role = markedRole(entry.resolve("environ"));
        if (role != null
            && roles.test(role)
            && ProcPidStat.liveStartTicks(procRoot, pid).isPresent()) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new LabException("cannot list processes in " + procRoot + ": " + e, e);
    }
    return pids;
  }

  /** The role marker of a process of <em>this</em> lab, or null. */
  private String markedRole(Path environ) {
    String text;
    try {
      text = ProcFiles.read(environ);
    } catch (IOException e) {
      return null; // gone, or a kernel thread
    }
    String stateMarker = STATE_ENV + "=" + stateDir;
    boolean ours = false;
    String role = null;
    for (String entry : text.split("\0")) {
      if (entry.equals(stateMarker)) {
        ours = true;
      } else if (entry.startsWith(ROLE_ENV + "=")) {
        role = entry.substring(ROLE_ENV.length() + 1);
      }
    }
    return ours ? role : null;
  }

  private Set<Long> remaining(Collection<LabProcess> recorded, Predicate<String> roles) {
    Set<Long> left = new LinkedHashSet<>();
    for (LabProcess process : recorded) {
      if (isAlive(process)) {
        left.add(process.pid());
      }
    }
    left.addAll(marked(roles));
    return left;
  }

  private static void signal(long pid, boolean force) {
    ProcessHandle.of(pid)
        .ifPresent(
            handle -> {
              if (force) {
                handle.destroyForcibly();
              } else {
                handle.destroy();
              }
            });
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while ending lab processes", e);
    }
  }
}
