package dev.culprit.lab.container;

import dev.culprit.collector.platform.docker.DockerClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker Engine of our own for tests and the lab: its own data root, exec root, socket and
 * containerd, no bridge or iptables changes, the cgroupfs driver, and every container's cgroup
 * under a parent of our own ({@code /culprit-<id>/docker/<container>}, which the collector
 * recognises like Docker's default {@code /docker/<container>}). {@link #close()} removes its
 * containers, stops the daemon by PID (SIGTERM, then SIGKILL), unmounts what it left mounted and
 * removes its cgroups and directory, pass or fail.
 */
public final class PrivateDockerd implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrivateDockerd.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final String CGROUP_ROOT = "/sys/fs/cgroup";

  private final Path dir;
  private final Path socket;
  private final String cgroupParent;
  private final Process process;
  private final List<ProcessHandle> descendants = new ArrayList<>();

  private PrivateDockerd(Path dir, Path socket, String cgroupParent, Process process) {
    this.dir = dir;
    this.socket = socket;
    this.cgroupParent = cgroupParent;
    this.process = process;
  }

  /**
   * Why a private dockerd cannot run here, or empty when it can: needs Linux, root, and {@code
   * dockerd} and the {@code docker} CLI on PATH.
   */
  public static Optional<String> unavailableReason() {
    if (!Files.isDirectory(Path.of("/proc/self"))) {
      return Optional.of("needs Linux");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("needs root to run dockerd");
    }
    if (!HelperCommands.onPath("dockerd") || !HelperCommands.onPath("docker")) {
      return Optional.of("needs dockerd and the docker CLI (Debian package docker.io)");
    }
    return Optional.empty();
  }

  /**
   * Starts a daemon in {@code dir} (created if needed; keep it short: the socket path must fit in
   * 108 bytes) and waits until it answers.
   */
  public static PrivateDockerd start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path socket = dir.resolve("docker.sock");
    String cgroupParent = "/culprit-" + UUID.randomUUID().toString().substring(0, 8) + "/docker";
    List<String> argv =
        List.of(
            "dockerd",
            "--data-root",
            dir.resolve("data").toString(),
            "--exec-root",
            dir.resolve("exec").toString(),
            "--pidfile",
            dir.resolve("dockerd.pid").toString(),
            "-H",
            "unix://" + socket,
            "--bridge=none",
            "--iptables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--exec-opt",
            "native.cgroupdriver=cgroupfs",
            "--cgroup-parent=" + cgroupParent);
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dockerd.log").toFile())
            .start();
    PrivateDockerd dockerd = new PrivateDockerd(dir, socket, cgroupParent, process);
    try {
      dockerd.awaitReady();
      return dockerd;
    } catch (IOException | RuntimeException e) {
      dockerd.close();
      throw e;
    }
  }

  /** The daemon's socket. */
  public Path socket() {
    return socket;
  }

  /** {@code unix://<socket>}, for the docker CLI's {@code -H}. */
  public String host() {
    return "unix://" + socket;
  }

  /** The cgroup parent of its containers, for example {@code /culprit-1a2b3c4d/docker}. */
  public String cgroupParent() {
    return cgroupParent;
  }

  /** The daemon's PID. */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    descendants.clear();
    process.descendants().forEach(descendants::add);
    if (process.isAlive()) {
      removeAllContainers();
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("dockerd {} did not stop on SIGTERM; killing it", process.pid());
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    // Its containerd and shims, if the daemon died without stopping them: ours, by PID.
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    unmountUnder(dir);
    removeCgroups();
    deleteTree(dir.resolve("data"));
    deleteTree(dir.resolve("exec"));
  }

  private void awaitReady() throws IOException {
    DockerClient client = new DockerClient(socket, Duration.ofSeconds(2));
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("dockerd exited " + process.exitValue() + ": " + logTail());
      }
      if (Files.exists(socket)) {
        try {
          client.ping();
          return;
        } catch (IOException e) {
          last = e;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for dockerd", e);
      }
    }
    throw new IOException(
        "dockerd did not answer within "
            + READY_TIMEOUT
            + (last == null ? "" : " (" + last + ")")
            + ": "
            + logTail());
  }

  private void removeAllContainers() {
    try {
      String ids =
          HelperCommands.run(List.of("docker", "-H", host(), "ps", "-aq"), Duration.ofSeconds(20));
      List<String> argv = new ArrayList<>(List.of("docker", "-H", host(), "rm", "-f"));
      for (String id : ids.split("\\s+")) {
        if (!id.isBlank()) {
          argv.add(id);
        }
      }
      if (argv.size() > 5) {
        HelperCommands.run(argv, Duration.ofSeconds(60));
      }
    } catch (IOException e) {
      LOG.warn("could not remove the containers of dockerd {}: {}", process.pid(), e.getMessage());
    }
  }

  private void removeCgroups() {
    String top = cgroupParent.substring(0, cgroupParent.indexOf('/', 1));
    try (Stream<Path> controllers = Files.list(Path.of(CGROUP_ROOT))) {
      for (Path controller : controllers.toList()) {
        Path group = controller.resolve(top.substring(1));
        if (Files.isDirectory(group)) {
          // Deepest first; rmdir of a cgroup works on its (pseudo-file-filled) directory.
          try (Stream<Path> tree = Files.walk(group)) {
            for (Path d :
                tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
              try {
                Files.delete(d);
              } catch (IOException e) {
                LOG.warn("could not remove cgroup {}: {}", d, e.toString());
              }
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("could not list {}: {}", CGROUP_ROOT, e.toString());
    }
  }

  /** Lazily unmounts everything still mounted under {@code root} (overlays of a killed daemon). */
  private static void unmountUnder(Path root) {
    try {
      String prefix = root.toRealPath().toString() + "/";
      List<String> mounts = new ArrayList<>();
      for (String line :
          Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 4 && fields[4].startsWith(prefix)) {
          mounts.add(fields[4]);
        }
      }
      mounts.sort(Comparator.reverseOrder());
      for (String mount : mounts) {
        HelperCommands.runAllowingFailure(List.of("umount", "-l", mount), Duration.ofSeconds(10));
      }
    } catch (IOException e) {
      LOG.warn("could not unmount under {}: {}", root, e.toString());
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", root, e.toString());
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
