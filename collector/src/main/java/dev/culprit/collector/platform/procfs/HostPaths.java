package dev.culprit.collector.platform.procfs;

import dev.culprit.collector.platform.Require;
import java.nio.file.Path;

/**
 * Where the host's kernel interfaces are mounted, so the collector can run in a container with the
 * host's {@code /proc} at {@code /host/proc} and tests can point it at a fixture tree. Never read a
 * literal {@code /proc} path elsewhere.
 *
 * @param procRoot the host's procfs (default {@code /proc})
 * @param sysRoot the host's sysfs (default {@code /sys})
 * @param netnsDir named network namespaces (default {@code /var/run/netns})
 * @param cgroupRoot the cgroup hierarchy root (default {@code /sys/fs/cgroup})
 * @param devKmsg the kernel log device (default {@code /dev/kmsg})
 */
public record HostPaths(Path procRoot, Path sysRoot, Path netnsDir, Path cgroupRoot, Path devKmsg) {

  public HostPaths {
    Require.nonNull(
        "procRoot",
        procRoot,
        "sysRoot",
        sysRoot,
        "netnsDir",
        netnsDir,
        "cgroupRoot",
        cgroupRoot,
        "devKmsg",
        devKmsg);
  }

  /** The real host's paths. */
  public static HostPaths defaults() {
    return new HostPaths(
        Path.of("/proc"),
        Path.of("/sys"),
        Path.of("/var/run/netns"),
        Path.of("/sys/fs/cgroup"),
        Path.of("/dev/kmsg"));
  }
}
