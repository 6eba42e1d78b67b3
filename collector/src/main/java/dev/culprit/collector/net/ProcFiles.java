package dev.culprit.collector.net;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads small kernel files (procfs, sysfs) with one reusable buffer per thread. procfs reports size
 * 0 and sysfs 4096 whatever the content, so {@code Files.readAllBytes} guesses wrong both ways;
 * this reads until EOF into a buffer that starts at 16 KiB and grows only for the rare big file (a
 * host with hundreds of interfaces). Kernel text is ASCII, decoded as Latin-1 (a copy, no UTF-8
 * validation).
 */
public final class ProcFiles {

  private static final int INITIAL = 16 << 10;
  private static final int MAX = 64 << 20;
  private static final ThreadLocal<byte[]> BUFFER =
      ThreadLocal.withInitial(() -> new byte[INITIAL]);

  private ProcFiles() {}

  /**
   * The whole file, or null when it does not exist (a module not loaded, IPv6 off, a device or
   * process that just went away).
   */
  public static String readOrNull(Path path) throws IOException {
    try {
      return read(path);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // A sysfs/procfs file of a device or process that vanished between listing and reading.
      if (String.valueOf(e.getMessage()).contains("No such file or directory")
          || String.valueOf(e.getMessage()).contains("No such device")) {
        return null;
      }
      throw e;
    }
  }

  /** The whole file; {@link NoSuchFileException} when it does not exist. */
  public static String read(Path path) throws IOException {
    byte[] buffer = BUFFER.get();
    int length = 0;
    try (FileInputStream in = open(path)) {
      int n;
      while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
        length += n;
        if (length == buffer.length) {
          if (buffer.length >= MAX) {
            throw new IOException(path + " is larger than " + MAX + " bytes");
          }
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
          BUFFER.set(buffer);
        }
      }
    }
    return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
  }

  /** A one-number sysfs/procfs file (mtu, ifindex, a statistics counter), or null if absent. */
  public static Long readLongOrNull(Path path) throws IOException {
    String text = readOrNull(path);
    if (text == null) {
      return null;
    }
    String value = text.strip();
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseUnsignedLong(value);
    } catch (NumberFormatException e) {
      if (value.startsWith("-")) {
        return Long.parseLong(value);
      }
      throw new IOException(path + ": not a number: '" + value + "'", e);
    }
  }

  private static FileInputStream open(Path path) throws IOException {
    try {
      return new FileInputStream(path.toFile());
    } catch (java.io.FileNotFoundException e) {
      // FileInputStream reports every open failure this way; tell "absent" from "forbidden".
      if (String.valueOf(e.getMessage()).contains("No such file or directory")) {
        throw new NoSuchFileException(path.toString());
      }
      throw e;
    }
  }
}
