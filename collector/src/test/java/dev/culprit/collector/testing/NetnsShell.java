package dev.culprit.collector.testing;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.spi.Netns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The commands the real-kernel tests and the fixture captures run as root to build their networks:
 * namespaces added, joined by veths, entered and deleted again. Each command may take 20 seconds.
 */
public final class NetnsShell {

  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final CommandRunner runner;

  public NetnsShell() {
    this(new ProcessCommandRunner());
  }

  public NetnsShell(CommandRunner runner) {
    this.runner = runner;
  }

  /** The runner every command goes through. */
  public CommandRunner runner() {
    return runner;
  }

  /** Runs {@code argv}; returns what it printed. */
  public String run(String... argv) throws Exception {
    return runner.run(List.of(argv), TIMEOUT).stdout();
  }

  /** Runs a command line split at its spaces (no quoting). */
  public String sh(String commandLine) throws Exception {
    return run(commandLine.split(" "));
  }

  /** Runs {@code argv} inside namespace {@code ns}. */
  public String in(String ns, String... argv) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(argv));
    return runner.run(full, TIMEOUT).stdout();
  }

  /** Runs a command line split at its spaces (no quoting) inside namespace {@code ns}. */
  public String inSh(String ns, String commandLine) throws Exception {
    return in(ns, commandLine.split(" "));
  }

  /** Adds the named namespaces. */
  public void addNamespaces(String... names) throws Exception {
    for (String ns : names) {
      run("ip", "netns", "add", ns);
    }
  }

  /** Adds a veth pair and moves its ends, {@code vethA} into {@code nsA}, {@code vethB} into B. */
  public void veth(String nsA, String vethA, String nsB, String vethB) throws Exception {
    run("ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB);
    run("ip", "link", "set", vethA, "netns", nsA);
    run("ip", "link", "set", vethB, "netns", nsB);
  }

  /** Deletes the namespaces (with their veths, rules and qdiscs); those not there are skipped. */
  public void deleteNamespaces(String... names) {
    for (String ns : names) {
      quietly("ip", "netns", "del", ns);
    }
  }

  /** Runs {@code argv} for its effect when it can: a failure means there was nothing to do. */
  public void quietly(String... argv) {
    try {
      runner.run(List.of(argv), TIMEOUT);
    } catch (Exception nothingThere) {
      // already gone, or never made
    }
  }

  /**
   * A finder for the namespaces whose labels match {@code patterns} alone (no container runtime),
   * so that others on the machine are none of the test's business.
   */
  public static ProcNamespaceFinder finder(HostPaths paths, String... patterns) {
    return new ProcNamespaceFinder(
        paths, NameFilter.of(List.of(patterns), List.of()), pid -> Optional.empty());
  }

  /** The named namespace as the agent finds it. */
  public static Netns find(HostPaths paths, String name) throws Exception {
    return finder(paths, name).find().stream()
        .filter(n -> n.label().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no namespace " + name + " found"));
  }

  /**
   * Starts busybox httpd in the foreground inside {@code ns}, listening on {@code listen} ({@code
   * port} or {@code address:port}) and serving {@code www}; end it with {@link #stop}.
   */
  public static Process httpd(String ns, String listen, Path www) throws IOException {
    return new ProcessBuilder(
            "ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", listen, "-h", www.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Ends {@code process} and everything it started, and waits for it. */
  public static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
