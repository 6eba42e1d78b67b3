package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcNetTcp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * What a lab step needs: the tools, the state (written through on every change), and helpers to run
 * commands inside the lab's namespaces. One per lab command, used under the state lock.
 */
public final class LabContext {

  private final Shell shell;
  private final Tools tools;
  private final StateStore store;
  private final DetachedProcesses processes;
  private final Path procRoot;
  private final List<String> notes = new ArrayList<>();
  private LabState state;

  public LabContext(Shell shell, Tools tools, StateStore store, Path procRoot, LabState state) {
    this.shell = shell;
    this.tools = tools;
    this.store = store;
    this.procRoot = procRoot;
    this.processes = new DetachedProcesses(procRoot, store.dir(), tools);
    this.state = state;
  }

  public LabState state() {
    return state;
  }

  /** Remembers a line to tell the user when the command ends. */
  public void note(String line) {
    notes.add(line);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * True when a socket in {@code netns} listens on {@code port}, over IPv4 or IPv6 ({@code tcp6}
   * holds dual-stack listeners like busybox httpd's).
   */
  public boolean listening(String netns, int port) {
    if (ProcNetTcp.listening(readInNetns(netns, "/proc/net/tcp"), port)) {
      return true;
    }
    Shell.Result tcp6 =
        shell.run(inNetns(netns, List.of(tools.path(Tools.Tool.BUSYBOX), "cat", "/proc/net/tcp6")));
    return tcp6.ok() && ProcNetTcp.listening(tcp6.stdout(), port);
  }

  /** Changes the state and writes it to disk before anything else happens. */
  public void update(UnaryOperator<LabState> change) {
    state = change.apply(state);
    store.save(state);
  }

  public Tools tools() {
    return tools;
  }

  public Shell shell() {
    return shell;
  }

  public Path stateDir() {
    return store.dir();
  }

  public Path procRoot() {
    return procRoot;
  }

  public DetachedProcesses processes() {
    return processes;
  }

  /** {@code ip ARGS…} (use {@code -n NS} for a namespace); fails on a non-zero exit. */
  public String ip(String... args) {
    return shell.check(command(tools.path(Tools.Tool.IP), args));
  }

  /** {@code ip ARGS…}, returning the result whatever the exit code. */
  public Shell.Result tryIp(String... args) {
    return shell.run(command(tools.path(Tools.Tool.IP), args));
  }

  /** The argv that runs {@code argv} inside {@code netns}. */
  public List<String> inNetns(String netns, List<String> argv) {
    List<String> command =
        new ArrayList<>(List.of(tools.path(Tools.Tool.IP), "netns", "exec", netns));
    command.addAll(argv);
    return command;
  }

  /**
   * Reads a file as a process inside {@code netns} sees it ({@code /proc/net/…}, {@code
   * /proc/sys/…}).
   */
  public String readInNetns(String netns, String path) {
    return shell.check(inNetns(netns, List.of(tools.path(Tools.Tool.BUSYBOX), "cat", path)));
  }

  /** Starts a workload and records it in the state at once. */
  public LabProcess start(String role, String netns, List<String> argv, FaultKind owner, Path log) {
    LabProcess process = processes.spawn(role, netns, argv, owner, log);
    update(s -> s.withProcess(process));
    return process;
  }

  /**
   * Ends the recorded processes {@code which} accepts and every marked process whose role {@code
   * roles} accepts, then forgets the recorded ones.
   */
  public Set<Long> stop(Predicate<LabProcess> which, Predicate<String> roles) {
    List<LabProcess> chosen = state.processes().stream().filter(which).toList();
    Set<Long> left = processes.stop(chosen, roles);
    update(s -> s.withoutProcesses(which));
    return left;
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
  public static boolean await(Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted while waiting", e);
      }
    }
  }

  private static List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>();
    command.add(program);
    command.addAll(List.of(args));
    return command;
  }
}
