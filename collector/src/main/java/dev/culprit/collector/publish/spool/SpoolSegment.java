package dev.culprit.collector.publish.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of the spool: {@code seg-<id>.log}. Only the newest segment is written; older
 * ones are read and deleted whole. Not thread-safe: {@link Spool} guards every access.
 */
final class SpoolSegment implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SpoolSegment.class);

  final long id;
  final Path path;
  private final FileChannel channel;

  /** Bytes in the file (the end of the last complete frame for the segment being written). */
  long size;

  /** Frames in the file, as far as their length fields tell. */
  long frames;

  /** Frames already handed to the sender (delivered or in flight). */
  long framesRead;

  /** Offset up to which frames were handed to the sender. */
  long readOffset;

  /**
   * Where the bytes the bound counts start: 0, or, in the oldest segment left by an earlier run,
   * past what was delivered or dropped for a lowered bound before (that file is only read, and
   * deleted once delivered).
   */
  long countedFrom;

  /** Whether the header was valid; a segment without it is skipped whole. */
  final boolean validHeader;

  private boolean dirty;

  private SpoolSegment(long id, Path path, FileChannel channel, long size, boolean validHeader) {
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.validHeader = validHeader;
    this.readOffset = Math.min(SpoolFrames.HEADER_BYTES, size);
  }

  /** Creates a new, empty segment with its header. */
  static SpoolSegment create(Path dir, long id) throws IOException {
    Path path = dir.resolve(fileName(id));
    FileChannel channel =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    try {
      writeFully(channel, ByteBuffer.wrap(SpoolFrames.MAGIC), 0);
      // The header reaches the disk before the caller makes the directory entry durable: after a
      // power loss the name never points at a file without its header (the file first, then the
      // directory, as fsync(2) asks).
      channel.force(true);
    } catch (IOException e) {
      // A full disk refuses the header: leave no empty file behind to collide with the next try.
      try {
        channel.close();
        Files.deleteIfExists(path);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new SpoolSegment(id, path, channel, SpoolFrames.HEADER_BYTES, true);
  }

  /** Opens a segment left by an earlier run, read-only, and counts its frames. */
  static SpoolSegment open(Path path, long id, long readFrom, int maxFrameBytes)
      throws IOException {
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    long size = channel.size();
    ByteBuffer magic = ByteBuffer.allocate(SpoolFrames.HEADER_BYTES);
    readFully(channel, magic, 0);
    boolean valid =
        size == 0 || (!magic.hasRemaining() && Arrays.equals(magic.array(), SpoolFrames.MAGIC));
    SpoolSegment segment = new SpoolSegment(id, path, channel, size, valid);
    if (size == 0) {
      // Created, then the process died before the header was written: empty, not corrupt.
      segment.readOffset = 0;
      segment.frames = 0;
    } else if (valid) {
      segment.readOffset = Math.max(SpoolFrames.HEADER_BYTES, Math.min(readFrom, size));
      if (segment.readOffset > SpoolFrames.HEADER_BYTES) {
        // Delivered (or dropped for a lowered bound) before the last stop; gone with the file.
        segment.countedFrom = segment.readOffset;
      }
      segment.frames = segment.countFrames(segment.readOffset, maxFrameBytes);
    } else {
      // The whole file counts as one corrupt frame, reported when the reader reaches it.
      segment.readOffset = 0;
      segment.frames = 1;
    }
    return segment;
  }

  /**
   * Makes a created or deleted segment file's directory entry durable; call it after {@link
   * #create}, which forced the file itself.
   */
  static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory; the segment data itself is still forced.
      LOG.debug("cannot fsync spool directory {}: {}", dir, e.toString());
    }
  }

  static String fileName(long id) {
    return String.format("seg-%020d.log", id);
  }

  /** The segment id of a file name, or -1 when it is not a segment. */
  static long idOf(Path file) {
    String name = file.getFileName().toString();
    if (!name.matches("seg-\\d{20}\\.log")) {
      return -1;
    }
    return Long.parseLong(name.substring(4, 24));
  }

  /** Appends whole frames at the end; on failure the file is cut back so no partial frame stays. */
  void append(ByteBuffer frames, int count) throws IOException {
    long start = size;
    int length = frames.remaining();
    try {
      writeFully(channel, frames, start);
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    size = start + length;
    this.frames += count;
    dirty = true;
  }

  /**
   * The length of the whole frame at {@code offset}, or -1 when none that can be real starts there
   * (a truncated or garbled tail).
   */
  long frameLengthAt(long offset, int maxFrameBytes) throws IOException {
    long remaining = size - offset - SpoolFrames.FRAME_OVERHEAD;
    if (!validHeader || remaining < 0) {
      return -1;
    }
    ByteBuffer header = ByteBuffer.allocate(4);
    readFully(channel, header, offset);
    int bodyLength = header.flip().getInt();
    if (!SpoolFrames.plausible(bodyLength, remaining, maxFrameBytes)) {
      return -1;
    }
    return SpoolFrames.FRAME_OVERHEAD + bodyLength;
  }

  /** Cuts a fully delivered segment back to its header, to be written again from there. */
  void truncateToHeader() throws IOException {
    channel.truncate(SpoolFrames.HEADER_BYTES);
    size = SpoolFrames.HEADER_BYTES;
    readOffset = SpoolFrames.HEADER_BYTES;
    countedFrom = 0;
    frames = 0;
    framesRead = 0;
    dirty = true;
  }

  /** Reads {@code length} bytes at {@code offset}; fewer when the file ends first. */
  ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    readFully(channel, buffer, offset);
    return buffer.flip();
  }

  /** Forces written data to disk if anything was written since the last time. */
  void sync() throws IOException {
    if (dirty) {
      channel.force(false);
      dirty = false;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private long countFrames(long from, int maxFrameBytes) throws IOException {
    long count = 0;
    long offset = from;
    ByteBuffer header = ByteBuffer.allocate(4);
    while (offset + SpoolFrames.FRAME_OVERHEAD <= size) {
      header.clear();
      readFully(channel, header, offset);
      int bodyLength = header.flip().getInt();
      long remaining = size - offset - SpoolFrames.FRAME_OVERHEAD;
      if (!SpoolFrames.plausible(bodyLength, remaining, maxFrameBytes)) {
        // A truncated or garbled tail; the reader reports it when it gets there.
        return count + 1;
      }
      count++;
      offset += SpoolFrames.FRAME_OVERHEAD + bodyLength;
    }
    return offset < size ? count + 1 : count;
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        return;
      }
      at += n;
    }
  }
}
