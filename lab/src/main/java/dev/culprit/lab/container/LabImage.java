package dev.culprit.lab.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Builds the lab's image without pulling anything: a root filesystem holding the static busybox
 * (Debian {@code busybox-static}), its applet links, {@code /etc/passwd} (without a user name the
 * JVM keeps no performance-data file) and the host's merged-/usr symlinks, imported with {@code
 * docker import}.
 */
final class LabImage {

  /** The image name. */
  static final String NAME = "culprit-busybox:lab";

  private static final List<String> APPLETS =
      List.of("sh", "sleep", "cat", "head", "tail", "tr", "dd", "ls", "true", "false");

  private LabImage() {}

  /** Where the static busybox is, or null. */
  static Path busybox() {
    for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  /** Builds the rootfs in {@code workDir} and imports it into the engine at {@code host}. */
  static void importInto(String host, Path workDir) throws IOException {
    Path busybox = busybox();
    if (busybox == null) {
      throw new IOException("no static busybox (Debian package busybox-static)");
    }
    Path rootfs = workDir.resolve("rootfs");
    for (String d : List.of("bin", "tmp", "proc", "sys", "dev", "etc", "usr", "root")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    HelperCommands.run(
        List.of("chmod", "1777", rootfs.resolve("tmp").toString()), Duration.ofSeconds(10));
    Path bin = rootfs.resolve("bin");
    Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
    for (String applet : APPLETS) {
      Path link = bin.resolve(applet);
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of("busybox"));
    }
    for (Path link : JavaBinds.rootSymlinks()) {
      if (link.toString().equals("/bin")) {
        continue;
      }
      Path inRoot = rootfs.resolve(link.toString().substring(1));
      Files.deleteIfExists(inRoot);
      Files.createSymbolicLink(inRoot, Files.readSymbolicLink(link));
    }
    Files.writeString(
        rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n", StandardCharsets.US_ASCII);
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n", StandardCharsets.US_ASCII);
    Path tar = workDir.resolve("rootfs.tar");
    HelperCommands.run(
        List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."),
        Duration.ofSeconds(60));
    HelperCommands.run(
        List.of("docker", "-H", host, "import", tar.toString(), NAME), Duration.ofSeconds(120));
    Files.deleteIfExists(tar);
  }
}
