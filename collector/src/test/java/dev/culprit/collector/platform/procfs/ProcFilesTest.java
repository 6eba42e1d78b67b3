package dev.culprit.collector.platform.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
}
