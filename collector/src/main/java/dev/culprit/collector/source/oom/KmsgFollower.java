package dev.culprit.collector.source.oom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the kernel log on a daemon thread and buffers every OOM kill it sees until {@link
 * #drain()}.
 *
 * <p>{@code /dev/kmsg} hands out one record per {@code read(2)} and blocks at the end, so the
 * thread spends its life in {@code read}; {@link #close()} closes the channel, which wakes it. Java
 * cannot {@code lseek(SEEK_END)}, so on start the follower reads the whole ring buffer through the
 * parser and keeps only kills stamped within the look-back: a kill that happened just before the
 * collector started is still reported, one from yesterday is not. A read that fails with {@code
 * EPIPE} means the kernel overwrote records before we read them: counted, and reading goes on. A
 * regular file (a captured log in tests) is read the same way and ends at its end.
 */
public final class KmsgFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KmsgFollower.class);

  /** Larger than the kernel's longest record (CONSOLE_EXT_LOG_MAX, 8 KiB). */
  private static final int READ_BUFFER_BYTES = 16 * 1024;

  private final Path path;
  private final Duration lookBack;
  private final KernelClock clock;
  private final int capacity;
  private final ArrayDeque<OomReport> buffer = new ArrayDeque<>();
  private final OomReportParser parser = new OomReportParser();

  private FileChannel channel;
  private Thread thread;
  private volatile boolean closed;
  private volatile Throwable failure;
  private long dropped;
  private long overwritten;
  private long malformed;
  private long lastSeq = -1;

  /**
   * @param path the kernel log device (normally {@code /dev/kmsg})
   * @param lookBack kills older than this when the follower starts are skipped
   * @param clock the kernel's clock
   * @param capacity kills buffered between drains; the oldest are dropped (and counted) past it
   */
  public KmsgFollower(Path path, Duration lookBack, KernelClock clock, int capacity) {
    this.path = Objects.requireNonNull(path, "path");
    this.lookBack = Objects.requireNonNull(lookBack, "lookBack");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /**
   * Opens the log and starts the reader thread. Idempotent.
   *
   * @throws NoSuchFileException when there is no kernel log device here
   * @throws AccessDeniedException when this process may not read it (needs root or CAP_SYSLOG)
   */
  public synchronized void start() throws IOException {
    if (thread != null) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    channel = FileChannel.open(path, StandardOpenOption.READ);
    long minTimeUs = clock.nowSinceBootUs() - lookBack.toNanos() / 1000;
    thread = new Thread(() -> run(minTimeUs), "culprit-kmsg-follower");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the reader thread is running. */
  public synchronized boolean isRunning() {
    return thread != null && thread.isAlive();
  }

  /** The kills seen since the last drain, oldest first. */
  public synchronized List<OomReport> drain() {
    List<OomReport> out = new ArrayList<>(buffer);
    buffer.clear();
    return out;
  }

  /** The error that stopped the reader thread, if one did. */
  public Throwable failure() {
    return failure;
  }

  /** Kills dropped because nobody drained the buffer in time. */
  public synchronized long droppedKills() {
    return dropped;
  }

  /** Times the kernel overwrote records before they were read (EPIPE). */
  public synchronized long overwrittenGaps() {
    return overwritten;
  }

  /** Records whose prefix could not be parsed (skipped). */
  public synchronized long malformedRecords() {
    return malformed;
  }

  /** Sequence number of the last record read, or -1. */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        LOG.debug("closing {}", path, e);
      }
    }
    if (t != null) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run(long minTimeUs) {
    ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    byte[] bytes = new byte[READ_BUFFER_BYTES];
    StringBuilder carry = new StringBuilder();
    try {
      while (!closed) {
        buf.clear();
        int n;
        try {
          n = channel.read(buf);
        } catch (ClosedChannelException e) {
          return;
        } catch (IOException e) {
          if (isBrokenPipe(e)) {
            synchronized (this) {
              overwritten++;
            }
            continue;
          }
          throw e;
        }
        if (n < 0) {
          handle(carry.toString(), minTimeUs);
          publish(parser.flush(), minTimeUs);
          return;
        }
        buf.flip();
        buf.get(bytes, 0, n);
        carry.append(new String(bytes, 0, n, StandardCharsets.UTF_8));
        int end = carry.lastIndexOf("\n");
        if (end >= 0) {
          // /dev/kmsg: one read = one whole record. A file: whole records plus a partial tail.
          handle(carry.substring(0, end + 1), minTimeUs);
          carry.delete(0, end + 1);
        }
      }
    } catch (Throwable e) {
      if (!closed) {
        failure = e;
        LOG.warn("kernel log follower on {} stopped", path, e);
      }
    }
  }

  private void handle(String text, long minTimeUs) {
    String[] lines = text.split("\n");
    StringBuilder record = null;
    for (String line : lines) {
      if (line.startsWith(" ") && record != null) {
        record.append('\n').append(line);
        continue;
      }
      if (record != null) {
        parseOne(record.toString(), minTimeUs);
      }
      record = line.isEmpty() ? null : new StringBuilder(line);
    }
    if (record != null) {
      parseOne(record.toString(), minTimeUs);
    }
  }

  private void parseOne(String text, long minTimeUs) {
    KmsgRecord record;
    try {
      record = KmsgRecordParser.parse(text);
    } catch (KmsgRecordParser.KmsgFormatException e) {
      synchronized (this) {
        malformed++;
      }
      LOG.debug("skipping kernel log record: {}", e.getMessage());
      return;
    }
    synchronized (this) {
      lastSeq = record.seq();
    }
    publish(parser.accept(record), minTimeUs);
  }

  private synchronized void publish(List<OomReport> reports, long minTimeUs) {
    for (OomReport report : reports) {
      if (report.kernelTimeUs() < minTimeUs) {
        continue;
      }
      if (buffer.size() >= capacity) {
        buffer.removeFirst();
        dropped++;
      }
      buffer.addLast(report);
    }
  }

  private static boolean isBrokenPipe(IOException e) {
    String message = e.getMessage();
    return message != null && message.contains("Broken pipe");
  }
}
