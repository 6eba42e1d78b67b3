package dev.culprit.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a {@code /proc} file in one large read. {@code Files.readString} must not be used there:
 * procfs reports size 0, so it reads one byte first, and a sysctl file answers any read at a
 * non-zero offset with end-of-file — {@code nf_conntrack_max} 262144 would come back as "2".
 */
public final class ProcFiles {

  private static final int MAX_BYTES = 1 << 20;

  private ProcFiles() {}

  public static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
    }
  }
}
