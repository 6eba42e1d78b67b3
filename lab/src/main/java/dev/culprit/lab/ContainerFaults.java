package dev.culprit.lab;

import dev.culprit.lab.container.CgroupLab;
import dev.culprit.lab.container.LabWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Injects and clears the lab's {@link ContainerFault}s: a workload in a memory/CPU cgroup of its
 * own, made with the same machinery the real-kernel tests use. They need no network lab and no
 * Docker Engine, so they bypass {@link Lab} and its state.
 */
final class ContainerFaults {

  static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  private ContainerFaults() {}

  /** Starts the fault's workload and returns at once; the workload outlives this command. */
  static List<String> inject(Path stateDir, ContainerFault fault) {
    requireRoot();
    try {
      Path work = stateDir.resolve("containers");
      Files.createDirectories(work);
      // Not closed: the workload must go on after this command exits; clear/down remove it.
      @SuppressWarnings("resource")
      CgroupLab lab = new CgroupLab(CGROUP_ROOT, work);
      LabWorkload w = lab.inject(fault.workload());
      String name = fault.kind().cliName();
      return List.of(
          "started " + name + " in cgroup " + w.cgroupPath() + describe(w),
          "watch `culprit up` (or `culprit tail oom`) name the cause; `culprit lab clear "
              + name
              + "` removes it");
    } catch (IOException e) {
      throw new LabException("cannot start " + fault.kind().cliName() + ": " + e.getMessage());
    }
  }

  /** Kills every lab workload cgroup and removes it; idempotent. */
  static List<String> clear() {
    try {
      int removed =
          CgroupLab.cleanUp(
              CGROUP_ROOT, FaultKind.container().stream().map(FaultKind::cliName).toList());
      return List.of("removed " + removed + " lab workload cgroup(s)");
    } catch (IOException e) {
      throw new LabException("cannot remove lab cgroups: " + e.getMessage());
    }
  }

  private static String describe(LabWorkload w) {
    return w.memoryLimitBytes() == null
        ? ""
        : " (memory limit " + (w.memoryLimitBytes() >> 20) + " MiB)";
  }

  private static void requireRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new LabException("container faults need root (they create cgroups)");
    }
  }
}
