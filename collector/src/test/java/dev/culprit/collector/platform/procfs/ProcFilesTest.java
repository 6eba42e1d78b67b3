package dev.culprit.collector.platform.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.spi.TooLargeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFilesTest {

  @TempDir Path dir;

  @Test
  void readsOneNumberFilesLongOrShortAndAbsentAsNull() throws Exception {
    Files.writeString(dir.resolve("max"), "262144\n");
    Files.writeString(dir.resolve("padded"), " ".repeat(100) + "7\n");
    Files.writeString(dir.resolve("empty"), "\n");

    assertThat(ProcFiles.readLongOrNull(dir.resolve("max"))).isEqualTo(262144L);
    assertThat(ProcFiles.readLongOrNull(dir.resolve("padded"))).isEqualTo(7L);
    assertThat(ProcFiles.readLongOrNull(dir.resolve("absent"))).isNull();
    assertThat(ProcFiles.readLongOrNull(dir.resolve("empty"))).isNull();
  }

  @Test
  void aOneNumberFileThatIsNotANumberIsAnErrorNamingIt() throws Exception {
    Files.writeString(dir.resolve("weird"), "unlimited\n");

    assertThatThrownBy(() -> ProcFiles.readLongOrNull(dir.resolve("weird")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("weird")
        .hasMessageContaining("unlimited");
  }

  @Test
  void rereadsAnOpenFileFromTheStartEachTime() throws Exception {
    Path file = dir.resolve("snmp");
    Files.writeString(file, "first");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThat(ProcFiles.read(channel)).isEqualTo("first");

      String big = "x".repeat(40_000); // past the 16 KiB starting buffer
      Files.writeString(file, big);
      assertThat(ProcFiles.read(channel)).isEqualTo(big);
    }
  }

  @Test
  void aFileLargerThanItsCapIsTooLargeAndTheBufferIsNotKeptAfterABigRead() throws Exception {
    Path file = dir.resolve("net-dev");
    Files.writeString(file, "y".repeat(600_000));

    assertThat(ProcFiles.read(file, 600_000)).hasSize(600_000);
    assertThat(ProcFiles.retainedBufferBytes()).isLessThanOrEqualTo(ProcFiles.RETAINED_BYTES);
    assertThatThrownBy(() -> ProcFiles.read(file, 599_999))
        .isInstanceOf(TooLargeException.class)
        .hasMessageContaining("net-dev")
        .hasMessageContaining("599999");
    assertThatThrownBy(() -> ProcFiles.readOrNull(file, 1000))
        .isInstanceOf(TooLargeException.class);
    assertThat(ProcFiles.retainedBufferBytes()).isLessThanOrEqualTo(ProcFiles.RETAINED_BYTES);
  }

  @Test
  void anOpenFileLargerThanItsCapIsTooLarge() throws Exception {
    Path file = dir.resolve("snmp");
    Files.writeString(file, "z".repeat(70_000));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThatThrownBy(() -> ProcFiles.read(channel, 65_536))
          .isInstanceOf(TooLargeException.class);
      assertThat(ProcFiles.read(channel, 70_000)).hasSize(70_000);
    }
  }

  @Test
  void aFileInsideAProcessRootIsReadOnlyWhenEveryComponentIsARealDirectoryAndFile()
      throws Exception {
    Path proc = dir.resolve("4242");
    Path root = proc.resolve("root-dir");
    Files.createDirectories(root.resolve("tmp/hsperfdata_app"));
    Files.createSymbolicLink(proc.resolve("root"), root); // stands in for the magic link
    Files.writeString(root.resolve("tmp/hsperfdata_app/1"), "perf");
    Files.writeString(dir.resolve("secret"), "root only");
    Files.createSymbolicLink(root.resolve("tmp/hsperfdata_app/2"), dir.resolve("secret"));
    Files.createSymbolicLink(root.resolve("tmp/linked"), root.resolve("tmp/hsperfdata_app"));
    Path fifo = root.resolve("tmp/hsperfdata_app/3");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/hsperfdata_app/1", 100))
        .asString()
        .isEqualTo("perf");
    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/hsperfdata_app/2", 100))
        .as("a symlink as the last component")
        .isNull();
    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/linked/1", 100))
        .as("a symlink as a directory component")
        .isNull();
    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/hsperfdata_app/3", 100))
        .as("a FIFO, which would block the reader")
        .isNull();
    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/../../secret", 100)).isNull();
    assertThat(ProcFiles.readRegularFileInRoot(proc, "tmp/hsperfdata_app/absent", 100)).isNull();
    assertThatThrownBy(() -> ProcFiles.readRegularFileInRoot(proc, "tmp/hsperfdata_app/1", 3))
        .isInstanceOf(TooLargeException.class);
  }

  @Test
  void aHugeSparseFileInsideAProcessRootStopsAtTheCap() throws Exception {
    Path proc = dir.resolve("77");
    Files.createDirectories(proc.resolve("root/tmp"));
    try (RandomAccessFile file =
        new RandomAccessFile(proc.resolve("root/tmp/big").toFile(), "rw")) {
      file.setLength(100L << 20); // 100 MiB of holes: costs no disk, would cost the heap
    }

    assertThatThrownBy(() -> ProcFiles.readRegularFileInRoot(proc, "tmp/big", 32 << 10))
        .isInstanceOf(TooLargeException.class);
  }
}
