package dev.culprit.collector.platform.procfs;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
  private static final int SMALL = 64;
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

  /**
   * The whole content of an open procfs file, read again from offset 0 with positional reads
   * ({@code pread}): a procfs seq file regenerates its text for a read at offset 0, so one open
   * file serves every cycle.
   */
  public static String read(FileChannel channel) throws IOException {
    byte[] buffer = BUFFER.get();
    int length = 0;
    while (true) {
      int n = channel.read(ByteBuffer.wrap(buffer, length, buffer.length - length), length);
      if (n < 0) {
        break;
      }
      length += n;
      if (length == buffer.length) {
        if (buffer.length >= MAX) {
          throw new IOException("a procfs file is larger than " + MAX + " bytes");
        }
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
        BUFFER.set(buffer);
      }
    }
    return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
  }

  /**
   * A one-number sysfs/procfs file (mtu, ifindex, a sysctl, a statistics counter), or null if
   * absent. Read with a 64-byte buffer: {@code /proc/sys} allocates and zeroes a kernel buffer as
   * large as the read asked for, so a 16 KiB read of a 7-byte sysctl costs 16 KiB of memset.
   */
  public static Long readLongOrNull(Path path) throws IOException {
    String text = readSmallOrNull(path);
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

  private static String readSmallOrNull(Path path) throws IOException {
    byte[] small = new byte[SMALL];
    int length = 0;
    try (FileInputStream in = open(path)) {
      int n;
      while (length < small.length && (n = in.read(small, length, small.length - length)) > 0) {
        length += n;
      }
      if (length < small.length || in.read() < 0) {
        return new String(small, 0, length, StandardCharsets.ISO_8859_1);
      }
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("No such file or directory")
          || String.valueOf(e.getMessage()).contains("No such device")) {
        return null;
      }
      throw e;
    }
    return readOrNull(path); // longer than a number: read it whole
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
