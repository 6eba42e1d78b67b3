package dev.culprit.collector.runtime;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

/** The host id and kernel boot id, read through the configured procfs. */
final class HostIdentity {

  private HostIdentity() {}

  /**
   * The default host id: the kernel's hostname ({@code <procRoot>/sys/kernel/hostname}, the UTS
   * namespace of the collector), else what the resolver says, else "unknown-host".
   */
  static String defaultHostId(HostPaths paths) {
    String kernel = readTrimmed(paths.procRoot().resolve("sys/kernel/hostname"));
    if (kernel != null) {
      return kernel;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /**
   * The kernel boot id ({@code <procRoot>/sys/kernel/random/boot_id}): a new value means every
   * kernel counter restarted. Null when unreadable.
   */
  static String bootId(HostPaths paths) {
    return readTrimmed(paths.procRoot().resolve("sys/kernel/random/boot_id"));
  }

  private static String readTrimmed(Path file) {
    try {
      String text = ProcFiles.read(file, ProcFiles.SMALL_BYTES).trim();
      return text.isEmpty() ? null : text;
    } catch (IOException e) {
      return null;
    }
  }
}
