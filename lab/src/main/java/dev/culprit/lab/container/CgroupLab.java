package dev.culprit.lab.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's container faults without a container engine: a plain cgroup ({@code
 * culprit-<name>-<random>} directly under the hierarchy root) with a limit, and a process placed in
 * it before it execs the workload. cgroup v1 (memory and cpu hierarchies) and v2. {@link #close()}
 * kills the processes it started (by PID) and removes the cgroups.
 */
public final class CgroupLab implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CgroupLab.class);

  private final Path cgroupRoot;
  private final Path workDir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> cgroups = new ArrayList<>();

  /**
   * @param cgroupRoot the cgroup root ({@code /sys/fs/cgroup})
   * @param workDir a directory for the workload's class file
   */
  public CgroupLab(Path cgroupRoot, Path workDir) {
    this.cgroupRoot = Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
  }

  /** Starts a workload's process in a new cgroup and returns at once. */
  public synchronized LabWorkload inject(WorkloadSpec spec) throws IOException {
    String name = "culprit-" + spec.name() + "-" + UUID.randomUUID().toString().substring(0, 6);
    return injectAt(spec, name);
  }

  /**
   * Starts a workload's process in a new cgroup at {@code cgroupPath}, creating the directories
   * above it: a container as a kubelet or engine lays it out ({@code
   * culprit-k8s-1/kubepods/burstable/pod<uid>/<id>}). Every directory created is removed by {@link
   * #close()}, deepest first.
   *
   * @param cgroupPath relative to each hierarchy root; its first component starts with {@code
   *     culprit-} so the lab never writes into a hierarchy it does not own
   */
  public synchronized LabWorkload injectAt(WorkloadSpec spec, String cgroupPath)
      throws IOException {
    String name = cgroupPath;
    if (!name.startsWith("culprit-") || name.contains("..") || name.startsWith("/")) {
      throw new IllegalArgumentException("not a lab cgroup path: " + cgroupPath);
    }
    boolean v2 = Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers"));
    Long limit = spec.memoryLimitBytes();
    List<String> command = spec.isJava() ? java(spec.jvmFlags()) : spec.shellCommand();
    Long quotaUs = spec.cfsQuotaUs();
    List<Path> procsFiles = new ArrayList<>();
    if (v2) {
      Path dir = create(cgroupRoot.resolve(name));
      if (limit != null) {
        write(dir.resolve("memory.max"), Long.toString(limit));
        writeIfPresent(dir.resolve("memory.swap.max"), "0");
      }
      if (quotaUs != null) {
        write(dir.resolve("cpu.max"), quotaUs + " " + WorkloadSpec.CFS_PERIOD_US);
      }
      procsFiles.add(dir.resolve("cgroup.procs"));
    } else {
      if (limit != null) {
        Path mem = create(cgroupRoot.resolve("memory").resolve(name));
        write(mem.resolve("memory.limit_in_bytes"), Long.toString(limit));
        writeIfPresent(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(limit));
        procsFiles.add(mem.resolve("cgroup.procs"));
      }
      if (quotaUs != null) {
        Path cpu = create(cgroupRoot.resolve("cpu").resolve(name));
        write(cpu.resolve("cpu.cfs_period_us"), Long.toString(WorkloadSpec.CFS_PERIOD_US));
        write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
        procsFiles.add(cpu.resolve("cgroup.procs"));
      }
    }
    // The shell moves itself into the cgroup, then becomes the workload: nothing runs outside it.
    StringBuilder script = new StringBuilder();
    for (Path procs : procsFiles) {
      script.append("echo $$ > '").append(procs).append("' && ");
    }
    script.append("exec \"$@\"");
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "culprit-lab"));
    argv.addAll(command);
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(p);
    return new LabWorkload(
        spec, name.substring(name.lastIndexOf('/') + 1), null, "/" + name, limit);
  }

  /** The processes started, in order (to wait for their exit codes). */
  public synchronized List<Process> processes() {
    return List.copyOf(processes);
  }

  @Override
  public synchronized void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    // Deepest first: a cgroup with children cannot be removed.
    for (int i = cgroups.size() - 1; i >= 0; i--) {
      removeCgroup(cgroups.get(i));
    }
    cgroups.clear();
  }

  /**
   * Kills the processes of every lab cgroup ({@code culprit-<name>-<id>} directly under the
   * hierarchy roots, as {@link #inject} names them, for each of {@code workloadNames}) and removes
   * the cgroups: for a {@code culprit lab clear} after injections whose lab object is gone.
   *
   * @return the number of cgroups removed
   */
  public static int cleanUp(Path cgroupRoot, Collection<String> workloadNames) throws IOException {
    List<Path> roots =
        Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers"))
            ? List.of(cgroupRoot)
            : List.of(cgroupRoot.resolve("memory"), cgroupRoot.resolve("cpu"));
    int removed = 0;
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var dirs = Files.newDirectoryStream(root, d -> isLabCgroup(d, workloadNames))) {
        for (Path dir : dirs) {
          killAndRemove(dir);
          removed += Files.exists(dir) ? 0 : 1;
        }
      }
    }
    return removed;
  }

  /**
   * Kills what is in the cgroup and removes it, again and again for a few seconds: a process may
   * join it (a lab shell moving itself in) or still be dying between two attempts.
   */
  private static void killAndRemove(Path dir) throws IOException {
    retryWhileExists(
        dir,
        () -> {
          for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            if (!line.isBlank()) {
              ProcessHandle.of(Long.parseLong(line.trim()))
                  .ifPresent(ProcessHandle::destroyForcibly);
            }
          }
          Files.delete(dir);
        });
  }

  /**
   * Runs {@code attempt} until it succeeds or {@code dir} is gone, at most 50 times 100 ms apart:
   * the kernel tears a cgroup's killed processes down after the kill returns.
   */
  private static void retryWhileExists(Path dir, CgroupAttempt attempt) {
    for (int i = 0; i < 50 && Files.exists(dir); i++) {
      try {
        attempt.run();
        return;
      } catch (java.nio.file.NoSuchFileException e) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** One try at changing a cgroup directory. */
  @FunctionalInterface
  private interface CgroupAttempt {
    void run() throws IOException;
  }

  private static boolean isLabCgroup(Path dir, Collection<String> workloadNames) {
    String name = dir.getFileName().toString();
    for (String workload : workloadNames) {
      if (name.matches("culprit-" + Pattern.quote(workload) + "-[0-9a-f]{6}")
          && Files.isDirectory(dir)) {
        return true;
      }
    }
    return false;
  }

  /** Creates {@code dir} and every missing parent up to a hierarchy root, for removal later. */
  private Path create(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (!Files.isDirectory(parent)) {
      create(parent);
    }
    if (cgroups.contains(parent)) {
      // cgroup v2: a child gets the memory and cpu controllers only if its parent hands them down.
      writeIfPresent(parent.resolve("cgroup.subtree_control"), "+memory +cpu");
    }
    Files.createDirectory(dir);
    cgroups.add(dir);
    return dir;
  }

  /** rmdir fails with EBUSY while a killed process is still being torn down: retry briefly. */
  private static void removeCgroup(Path dir) {
    retryWhileExists(dir, () -> Files.delete(dir));
    if (Files.exists(dir)) {
      LOG.warn("could not remove cgroup {}", dir);
    }
  }

  private List<String> java(List<String> flags) throws IOException {
    Path classes = workDir.resolve("classes");
    JavaBinds.writeHeapHog(classes);
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaBinds.javaHome().resolve("bin/java").toString());
    cmd.addAll(flags);
    cmd.addAll(List.of("-cp", classes.toString(), HeapHog.class.getName(), "3000", "16", "100"));
    return cmd;
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  private static void writeIfPresent(Path file, String value) throws IOException {
    if (Files.exists(file)) {
      write(file, value);
    }
  }
}
