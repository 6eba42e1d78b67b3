package dev.culprit.lab.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the lab's container faults on a Docker Engine (the host's, or a {@link PrivateDockerd})
 * with the docker CLI, and removes everything it started on {@link #close()}: containers, then the
 * image. Containers are named {@code culprit-<name>-<random>} and run with {@code --network none},
 * the host's JDK bound read-only.
 */
public final class DockerLab implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerLab.class);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
  private static final String LAB_CLASSES = "/culprit-lab";
  private static final long MIB = 1L << 20;

  private final String host;
  private final Path workDir;
  private final List<String> started = new ArrayList<>();
  private boolean imageImported;

  /**
   * @param host the engine, {@code unix:///var/run/docker.sock} style
   * @param workDir a directory the lab may use (the image's rootfs, the workload's class file)
   */
  public DockerLab(String host, Path workDir) {
    this.host = Objects.requireNonNull(host, "host");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
  }

  /** Starts a workload's container and returns at once; the fault develops within seconds. */
  public synchronized LabWorkload inject(WorkloadSpec spec) throws IOException {
    prepare();
    String name = "culprit-" + spec.name() + "-" + UUID.randomUUID().toString().substring(0, 6);
    List<String> argv =
        new ArrayList<>(
            List.of("docker", "-H", host, "run", "-d", "--name", name, "--network", "none"));
    // Every container gets a memory limit; CPU throttling, which needs none, gets 64 MiB.
    Long needed = spec.memoryLimitBytes();
    long limit = needed != null ? needed : 64 * MIB;
    List<String> command = spec.isJava() ? java(spec.jvmFlags()) : spec.shellCommand();
    if (spec.cpus() != null) {
      argv.addAll(List.of("--cpus", spec.cpus().toString()));
    }
    argv.addAll(List.of("-m", Long.toString(limit), "--memory-swap", Long.toString(limit)));
    if (spec.isJava()) {
      for (String bind : JavaBinds.readOnlyBinds()) {
        argv.addAll(List.of("-v", bind));
      }
      argv.addAll(List.of("-v", workDir.resolve("classes") + ":" + LAB_CLASSES + ":ro"));
    }
    argv.add(LabImage.NAME);
    argv.addAll(command);
    String id = HelperCommands.run(argv, CLI_TIMEOUT).trim();
    started.add(id);
    return new LabWorkload(spec, name, id, null, limit);
  }

  /**
   * Starts a container that does nothing for an hour: a shell's sleep, or a JVM that waits before
   * allocating. For benchmarks of a host with many containers.
   */
  public synchronized LabWorkload idle(boolean java) throws IOException {
    prepare();
    String name = "culprit-idle-" + UUID.randomUUID().toString().substring(0, 6);
    long limit = (java ? 256 : 64) * MIB;
    List<String> argv =
        new ArrayList<>(
            List.of(
                "docker",
                "-H",
                host,
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "none",
                "-m",
                Long.toString(limit),
                "--cpus",
                "0.5"));
    if (java) {
      for (String bind : JavaBinds.readOnlyBinds()) {
        argv.addAll(List.of("-v", bind));
      }
      argv.addAll(List.of("-v", workDir.resolve("classes") + ":" + LAB_CLASSES + ":ro"));
    }
    argv.add(LabImage.NAME);
    if (java) {
      argv.addAll(javaCommand("3600000", "-Xmx64m"));
    } else {
      argv.addAll(List.of("sleep", "3600"));
    }
    String id = HelperCommands.run(argv, CLI_TIMEOUT).trim();
    started.add(id);
    return new LabWorkload(null, name, id, null, limit);
  }

  /** When a lab container exited ({@code State.FinishedAt}, epoch ms), or null while it runs. */
  public Long finishedAtMs(LabWorkload workload) throws IOException {
    String finishedAt = stateOnceExited(workload, "FinishedAt");
    return finishedAt == null ? null : java.time.Instant.parse(finishedAt).toEpochMilli();
  }

  /** The exit code of a lab container once it exited, or null while it runs. */
  public Integer exitCode(LabWorkload workload) throws IOException {
    String exitCode = stateOnceExited(workload, "ExitCode");
    return exitCode == null ? null : Integer.valueOf(exitCode);
  }

  /** {@code State.<field>} of a lab container once it exited, or null while it runs. */
  private String stateOnceExited(LabWorkload workload, String field) throws IOException {
    String state =
        HelperCommands.run(
                List.of(
                    "docker",
                    "-H",
                    host,
                    "inspect",
                    "-f",
                    "{{.State.Running}} {{.State." + field + "}}",
                    workload.containerId()),
                CLI_TIMEOUT)
            .trim();
    String[] parts = state.split(" ");
    return parts[0].equals("true") ? null : parts[1];
  }

  /**
   * Removes every lab container ({@code culprit-*}) and the lab image from the engine at {@code
   * host}: for a {@code culprit lab clean} after injections whose lab object is gone.
   *
   * @return the number of containers removed
   */
  public static int cleanUp(String host) throws IOException {
    String ids =
        HelperCommands.run(
            List.of("docker", "-H", host, "ps", "-aq", "--filter", "name=^/?culprit-"),
            CLI_TIMEOUT);
    List<String> argv = new ArrayList<>(List.of("docker", "-H", host, "rm", "-f"));
    for (String id : ids.split("\\s+")) {
      if (!id.isBlank()) {
        argv.add(id);
      }
    }
    int removed = argv.size() - 5;
    if (removed > 0) {
      HelperCommands.run(argv, CLI_TIMEOUT);
    }
    HelperCommands.runAllowingFailure(
        List.of("docker", "-H", host, "rmi", LabImage.NAME), CLI_TIMEOUT);
    return removed;
  }

  @Override
  public synchronized void close() {
    if (!started.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("docker", "-H", host, "rm", "-f"));
      argv.addAll(started);
      try {
        HelperCommands.run(argv, CLI_TIMEOUT);
      } catch (IOException e) {
        LOG.warn("could not remove lab containers {}: {}", started, e.getMessage());
      }
      started.clear();
    }
    if (imageImported) {
      try {
        HelperCommands.runAllowingFailure(
            List.of("docker", "-H", host, "rmi", LabImage.NAME), CLI_TIMEOUT);
      } catch (IOException e) {
        LOG.warn("could not remove {}: {}", LabImage.NAME, e.getMessage());
      }
      imageImported = false;
    }
  }

  private void prepare() throws IOException {
    if (imageImported) {
      return;
    }
    Files.createDirectories(workDir);
    JavaBinds.writeHeapHog(workDir.resolve("classes"));
    LabImage.importInto(host, workDir);
    imageImported = true;
  }

  private static List<String> java(List<String> flags) throws IOException {
    // 3 s before allocating (the collector reads the heap ceiling), then 16 MiB every 100 ms.
    return javaCommand("3000", flags.toArray(String[]::new));
  }

  private static List<String> javaCommand(String delayMs, String... flags) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaBinds.javaHome().resolve("bin/java").toString());
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-cp", LAB_CLASSES, HeapHog.class.getName(), delayMs, "16", "100"));
    return cmd;
  }
}
