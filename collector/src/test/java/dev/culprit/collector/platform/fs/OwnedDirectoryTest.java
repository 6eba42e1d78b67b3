package dev.culprit.collector.platform.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.publish.spool.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * culprit runs as root: a directory it writes in must be its own, or another user could plant a
 * symlink where it is about to create a file. Real directories, one owned by {@code nobody}.
 */
class OwnedDirectoryTest {

  private static final int NOBODY = 65534;

  @TempDir Path tmp;

  @Test
  void createsAMissingDirectoryReadableByItsOwnerOnly() throws IOException {
    Path dir = OwnedDirectory.ensure(tmp.resolve("a/data"), "data directory");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void refusesADirectoryAnotherUserOwnsAndSaysWhose() throws IOException {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to give a directory away");
    Path dir = Files.createDirectory(tmp.resolve("nobodys"));
    Files.setAttribute(dir, "unix:uid", NOBODY);
    assertThatThrownBy(() -> Spool.open(dir, Spool.DEFAULT_MAX_BYTES))
        .isInstanceOf(UnsafeDirectoryException.class)
        .hasMessageContaining("refusing spool directory " + dir)
        .hasMessageContaining("belongs to uid " + NOBODY);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void refusesADirectoryOthersMayWriteInAndNamesTheFix() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> OwnedDirectory.ensure(dir, "data directory"))
        .isInstanceOf(UnsafeDirectoryException.class)
        .hasMessageContaining("mode 0777")
        .hasMessageContaining("chmod go-w " + dir);
  }

  @Test
  void acceptsItsOwnStickyDirectory() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("sticky"));
    Files.setAttribute(dir, "unix:mode", 01777);
    assertThat(OwnedDirectory.ensure(dir, "data directory")).isEqualTo(dir);
  }

  @Test
  void aSymlinkPlantedAtTheSpoolLockIsNotFollowed() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim"), "precious", StandardCharsets.UTF_8);
    Path dir = Files.createDirectory(tmp.resolve("spool"));
    Files.createSymbolicLink(dir.resolve(".lock"), victim);
    assertThatThrownBy(() -> Spool.open(dir, Spool.DEFAULT_MAX_BYTES))
        .isInstanceOf(IOException.class);
    assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("precious");
  }

  @Test
  void writesPrivatelyOverAPlantedSymlinkWithoutTouchingItsTarget() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim"), "precious", StandardCharsets.UTF_8);
    Path file = tmp.resolve("bootstrap-servers");
    Files.createSymbolicLink(file, victim);
    OwnedDirectory.writePrivately(file, "127.0.0.1:9092\n".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.isSymbolicLink(file)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("precious");
  }
}
