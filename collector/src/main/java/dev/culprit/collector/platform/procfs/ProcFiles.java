package dev.culprit.collector.platform.procfs;

import dev.culprit.collector.spi.TooLargeException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * The one way the collector reads kernel files ({@code /proc}, {@code /sys}, cgroup files) and
 * files inside other processes' mount namespaces. Every read has a cap: the agent runs as root with
 * a small heap, and a local user can make many of these files large (interfaces in a namespace, a
 * process's environment, a file in a container's {@code /tmp}). Past the cap a read stops with
 * {@link TooLargeException} instead of reading on.
 *
 * <p>procfs reports size 0 and sysfs 4096 whatever the content, so {@code Files.readAllBytes} /
 * {@code Files.readString} guess wrong both ways (and a sysctl answers a read at a non-zero offset
 * with end-of-file, so a one-byte first read truncates it): this reads until EOF into a per-thread
 * buffer that starts at 16 KiB, grows up to the read's cap, and is dropped again after a read
 * larger than {@link #RETAINED_BYTES}, so one huge file never pins memory for the agent's life.
 * Kernel text is ASCII, decoded as Latin-1 (a copy, no UTF-8 validation).
 */
public final class ProcFiles {

  /**
   * Cap for single-value and short files: sysfs attributes, sysctls, {@code /proc/PID/stat}, {@code
   * status}, {@code comm}, cgroup value and key/value files ({@code memory.stat} of cgroup v2 on
   * 6.x is about 1.5 KiB, {@code cpu.stat} well under 1 KiB).
   */
  public static final int SMALL_BYTES = 64 << 10;

  /**
   * Cap for per-interface and per-CPU tables ({@code /proc/net/dev}, {@code
   * /proc/net/stat/nf_conntrack}, {@code /proc/net/snmp}). {@code /proc/net/dev} prints one line of
   * at most ~350 bytes per interface (16 counters of up to 20 digits); a namespace with 5,000 veths
   * measured about 0.6 MiB, and 5,000 lines of the widest possible counters fit in 2 MiB.
   */
  public static final int TABLE_BYTES = 4 << 20;

  /** Cap for anything else read through {@link #read(Path)}. */
  public static final int DEFAULT_BYTES = 1 << 20;

  /** Buffers up to this size are kept for the thread's next read; larger ones are dropped. */
  static final int RETAINED_BYTES = 256 << 10;

  private static final int INITIAL = 16 << 10;
  private static final int SMALL = 64;
  private static final ThreadLocal<byte[]> BUFFER =
      ThreadLocal.withInitial(() -> new byte[INITIAL]);

  private ProcFiles() {}

  /**
   * The whole file (at most {@link #DEFAULT_BYTES}), or null when it does not exist (a module not
   * loaded, IPv6 off, a device or process that just went away).
   */
  public static String readOrNull(Path path) throws IOException {
    return readOrNull(path, DEFAULT_BYTES);
  }

  /** The whole file, at most {@code maxBytes}, or null when it does not exist. */
  public static String readOrNull(Path path, int maxBytes) throws IOException {
    try {
      return read(path, maxBytes);
    } catch (NoSuchFileException e) {
      return null;
    } catch (TooLargeException e) {
      throw e;
    } catch (IOException e) {
      if (isGone(e)) {
        return null;
      }
      throw e;
    }
  }

  /** The whole file, at most {@link #DEFAULT_BYTES}; {@link NoSuchFileException} when absent. */
  public static String read(Path path) throws IOException {
    return read(path, DEFAULT_BYTES);
  }

  /**
   * The whole file; {@link NoSuchFileException} when it does not exist.
   *
   * @throws TooLargeException when it holds more than {@code maxBytes}
   */
  public static String read(Path path, int maxBytes) throws IOException {
    try (FileInputStream in = open(path)) {
      return readAll(in, maxBytes, path.toString());
    }
  }

  /** The whole file as bytes (a NUL-separated {@code cmdline} or {@code environ}), capped. */
  public static byte[] readBytes(Path path, int maxBytes) throws IOException {
    try (FileInputStream in = open(path)) {
      return readAllBytes(in, maxBytes, path.toString());
    }
  }

  /**
   * The whole content of an open procfs file, read again from offset 0 with positional reads
   * ({@code pread}): a procfs seq file regenerates its text for a read at offset 0, so one open
   * file serves every cycle. At most {@link #TABLE_BYTES}.
   */
  public static String read(FileChannel channel) throws IOException {
    return read(channel, TABLE_BYTES);
  }

  /** As {@link #read(FileChannel)}, with an explicit cap. */
  public static String read(FileChannel channel, int maxBytes) throws IOException {
    byte[] buffer = BUFFER.get();
    int length = 0;
    try {
      while (true) {
        if (length == buffer.length) {
          buffer = grow(buffer, maxBytes, "a procfs file");
        }
        int n = channel.read(ByteBuffer.wrap(buffer, length, buffer.length - length), length);
        if (n < 0) {
          break;
        }
        length += n;
        if (length > maxBytes) {
          throw new TooLargeException("a procfs file", maxBytes);
        }
      }
      return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
    } finally {
      release(buffer);
    }
  }

  /**
   * A regular file inside another process's mount namespace, {@code <procPid>/root/<relative>},
   * opened without following any symbolic link below that root. {@code /proc/PID/root} itself is a
   * magic link the kernel must follow; every component after it is checked with {@code
   * lstat}-semantics and must be a directory (or, the last, a regular file): a symlink to {@code
   * /proc/kmsg}, a FIFO or a device there would otherwise make root read, or block on, whatever the
   * process's owner chose. The last component is also opened with {@code O_NOFOLLOW}.
   *
   * @return the file's bytes, or null when some component is absent, a link, or not the expected
   *     type
   * @throws TooLargeException when it holds more than {@code maxBytes}
   */
  public static byte[] readRegularFileInRoot(Path procPid, String relative, int maxBytes)
      throws IOException {
    Path current = procPid.resolve("root");
    String[] parts = relative.split("/");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        return null; // never climb: the caller names paths below the root
      }
      current = current.resolve(part);
      BasicFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return null;
      }
      boolean last = i == parts.length - 1;
      if (last ? !attributes.isRegularFile() : !attributes.isDirectory()) {
        return null;
      }
    }
    try (SeekableByteChannel channel =
            Files.newByteChannel(current, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        InputStream in = Channels.newInputStream(channel)) {
      return readAllBytes(in, maxBytes, current.toString());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * A one-number sysfs/procfs file (mtu, ifindex, a sysctl, a statistics counter), or null if
   * absent. Read with a 64-byte buffer: {@code /proc/sys} allocates and zeroes a kernel buffer as
   * large as the read asked for, so a 16 KiB read of a 7-byte sysctl costs 16 KiB of memset.
   * Counters are unsigned 64-bit: values of 2^63 and more come back as negative longs (the same
   * bits), see {@link #parseUnsignedCounter}.
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
        try {
          return Long.parseLong(value);
        } catch (NumberFormatException notSigned) {
          // falls through to the typed error below
        }
      }
      throw new IOException(path + ": not a number: '" + value + "'", e);
    }
  }

  /**
   * A kernel counter printed as unsigned 64-bit decimal ({@code %llu}). Values of 2^63 and more (a
   * counter near wrap, {@code throttled_time 18446744073709551615}) are carried as the same 64 bits
   * in a signed long, i.e. negative: {@code Long.toUnsignedString} gives the kernel's text back,
   * and the processor's delta step subtracts with wrap-around.
   *
   * @throws NumberFormatException when the text is not such a number
   */
  public static long parseUnsignedCounter(String text) {
    return Long.parseUnsignedLong(text);
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
      if (isGone(e)) {
        return null;
      }
      throw e;
    }
    return readOrNull(path, SMALL_BYTES); // longer than a number: read it whole
  }

  private static String readAll(InputStream in, int maxBytes, String what) throws IOException {
    byte[] buffer = BUFFER.get();
    try {
      int length = fill(in, buffer, maxBytes, what);
      buffer = BUFFER.get();
      return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
    } finally {
      release(BUFFER.get());
    }
  }

  private static byte[] readAllBytes(InputStream in, int maxBytes, String what) throws IOException {
    byte[] buffer = BUFFER.get();
    try {
      int length = fill(in, buffer, maxBytes, what);
      return Arrays.copyOf(BUFFER.get(), length);
    } finally {
      release(BUFFER.get());
    }
  }

  /** Reads to EOF into the thread's buffer (growing it, stored back); returns the length. */
  private static int fill(InputStream in, byte[] buffer, int maxBytes, String what)
      throws IOException {
    int length = 0;
    while (true) {
      if (length == buffer.length) {
        buffer = grow(buffer, maxBytes, what);
      }
      int n = in.read(buffer, length, buffer.length - length);
      if (n < 0) {
        return length;
      }
      length += n;
      if (length > maxBytes) {
        throw new TooLargeException(what, maxBytes);
      }
    }
  }

  /** A larger buffer, at most one byte over the cap (that byte tells "exactly cap" from "more"). */
  private static byte[] grow(byte[] buffer, int maxBytes, String what) throws TooLargeException {
    if (buffer.length > maxBytes) {
      throw new TooLargeException(what, maxBytes);
    }
    long wanted = Math.min((long) buffer.length * 2, (long) maxBytes + 1);
    byte[] larger = Arrays.copyOf(buffer, (int) Math.max(wanted, buffer.length + 1));
    BUFFER.set(larger);
    return larger;
  }

  private static void release(byte[] buffer) {
    if (buffer.length > RETAINED_BYTES) {
      BUFFER.set(new byte[INITIAL]);
    }
  }

  /** For tests: the size of this thread's retained buffer. */
  static int retainedBufferBytes() {
    return BUFFER.get().length;
  }

  private static boolean isGone(IOException e) {
    // A sysfs/procfs file of a device or process that vanished between listing and reading.
    String message = String.valueOf(e.getMessage());
    return message.contains("No such file or directory")
        || message.contains("No such device")
        || message.contains("No such process");
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
