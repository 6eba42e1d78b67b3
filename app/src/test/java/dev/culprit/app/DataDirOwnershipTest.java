package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code culprit broker} and {@code up} write as root in the data directory: one that another user
 * owns or may write in is refused before anything is written, with the reason.
 */
class DataDirOwnershipTest {

  @TempDir Path tmp;

  @Test
  void brokerRefusesADataDirectoryOwnedByNobody() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to give a directory away");
    Path dir = Files.createDirectory(tmp.resolve("nobodys"));
    Files.setAttribute(dir, "unix:uid", 65534);
    Cli.Run run = Cli.run("broker", "--data-dir", dir.toString(), "--port", "0");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("refusing data directory " + dir)
        .contains("belongs to uid 65534");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void upRefusesADataDirectoryEveryoneMayWriteIn() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Cli.Run run = Cli.run("up", "--data-dir", dir.toString(), "--port", "0");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("other users may write in it").contains("chmod go-w");
    assertThat(dir).isEmptyDirectory();
  }
}
