package dev.culprit.collector.publish.spool;

import dev.culprit.collector.platform.fs.OwnedDirectory;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only on-disk queue of encoded records: the collector's write-ahead log in front
 * of Kafka. Every record is appended here first and deleted only after the broker acknowledged it,
 * so a broker outage or a collector restart loses nothing within the bound, and records leave in
 * the order they arrived.
 *
 * <p>Layout: segment files {@code seg-<id>.log} (see {@link SpoolFrames}), {@code acked.pos} (where
 * delivery stands, so a restart does not resend what the broker already has) and {@code .lock} (one
 * collector per spool directory).
 *
 * <p>Bound: when appending would push the files past {@code maxBytes}, the oldest segments are
 * deleted whole and their undelivered records counted as dropped. A disk that fills up before the
 * bound is met the same way: the oldest segments go until the write fits; only when nothing older
 * is left are the new records dropped (counted, never thrown at the collector's cycle as a crash).
 * A bound lowered between runs is applied at {@link #open}: the oldest records go first, record by
 * record, so everything newer that fits is still delivered.
 *
 * <p>Durability (fsync policy): appends are plain writes, so they survive a crash of the collector
 * process (the page cache keeps them) at no cost in the healthy case, where a record lives here for
 * milliseconds. {@link #sync()} forces the segment being written; the publisher calls it about once
 * a second while records wait for an unreachable broker, so a power loss or kernel crash during an
 * outage loses at most the last second. A segment is forced when it is sealed; a new segment's
 * header is forced before its directory entry, so a name never survives without its header. {@code
 * acked.pos} is replaced atomically but not forced: after a power loss it may lag, and the records
 * after it are sent again (consumers de-duplicate by {@code seq}).
 *
 * <p>Thread-safe: one lock guards everything; reads of a delivery window happen under it, which
 * costs an appender at most the time of reading about one megabyte from the page cache.
 */
public final class Spool implements Closeable {

  /** The default bound. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final long MIN_MAX_BYTES = 64L << 10;
  private static final long MAX_SEGMENT_BYTES = 8L << 20;
  private static final String CHECKPOINT = "acked.pos";

  /**
   * The largest frame the reader believes: records written under an earlier, larger bound are still
   * records (their length must still fit the file and their CRC still match).
   */
  private static final int READ_FRAME_BYTES = Integer.MAX_VALUE - 64;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final int maxFrameBytes;
  private final SpoolDirLock dirLock;
  private final ArrayDeque<SpoolSegment> segments = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final SpoolCheckpoint checkpoint;

  private SpoolPosition acked;
  private long pendingRecords;
  private long pendingBytes;
  private long droppedRecords;
  private long corruptRecords;
  private boolean closed;

  private Spool(
      Path dir,
      long maxBytes,
      long segmentBytes,
      SpoolDirLock dirLock,
      SpoolCheckpoint checkpoint) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.maxFrameBytes = (int) Math.min(Integer.MAX_VALUE - 64, maxBytes / 4);
    this.dirLock = dirLock;
    this.checkpoint = checkpoint;
  }

  /**
   * Opens (creating if needed) the spool in {@code dir}, bounded by {@code maxBytes}, with what an
   * earlier run left there queued first.
   *
   * @throws IOException when the directory cannot be created or another collector uses it
   */
  public static Spool open(Path dir, long maxBytes) throws IOException {
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "spool bound " + maxBytes + " bytes is below the minimum of " + MIN_MAX_BYTES);
    }
    return open(dir, maxBytes, Math.max(16 << 10, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8)));
  }

  /** For tests: any bound, explicit segment size. */
  static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
    OwnedDirectory.ensure(dir, "spool directory");
    SpoolDirLock dirLock = SpoolDirLock.acquire(dir);
    Spool spool =
        new Spool(
            dir, maxBytes, segmentBytes, dirLock, new SpoolCheckpoint(dir.resolve(CHECKPOINT)));
    try {
      spool.recover();
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
    return spool;
  }

  /** The largest record the spool takes (a quarter of its bound). */
  public int maxRecordBytes() {
    return maxFrameBytes - SpoolFrames.FRAME_OVERHEAD;
  }

  /**
   * Appends records in order, dropping the oldest segments first if the bound requires it.
   *
   * <p>When the disk is full, the oldest segments are dropped (counted) until the records fit.
   *
   * @throws IllegalArgumentException when a record is larger than {@link #maxRecordBytes()}
   * @throws IOException when the disk refuses the write even with nothing older left to drop, or
   *     the spool is closed: the records not written are counted as dropped, and no partial record
   *     stays behind
   */
  public void append(List<SpoolRecord> records) throws IOException {
    for (SpoolRecord r : records) {
      if (SpoolFrames.frameBytes(r) > maxFrameBytes) {
        throw new IllegalArgumentException(
            "record for "
                + r.topic()
                + " has "
                + r.value().length
                + " bytes, more than the spool's limit of "
                + maxRecordBytes());
      }
    }
    lock.lock();
    try {
      if (closed) {
        droppedRecords += records.size();
        ensureOpen();
      }
      int from = 0;
      while (from < records.size()) {
        int to = chunkEnd(records, from);
        List<SpoolRecord> chunk = records.subList(from, to);
        try {
          appendFrames(SpoolFrames.encode(chunk), chunk.size());
        } catch (IOException e) {
          droppedRecords += records.size() - from;
          throw e;
        }
        from = to;
      }
    } finally {
      appended.signalAll();
      lock.unlock();
    }
  }

  /**
   * The next records in order after everything handed out before, at most {@code maxRecords} and
   * about {@code maxBytes}; empty when none wait. Corrupt frames on the way are skipped, counted
   * and logged. The records stay in the spool until {@link #ack} is called with the batch.
   */
  public SpoolBatch next(int maxRecords, long maxBytes) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      List<SpoolRecord> out = new ArrayList<>();
      long bytes = 0;
      SpoolPosition end = null;
      for (SpoolSegment segment : segments) {
        if (out.size() >= maxRecords || bytes >= maxBytes) {
          break;
        }
        if (segment.readOffset >= segment.size) {
          continue;
        }
        bytes +=
            SpoolSegmentReader.readFrames(
                segment, out, maxRecords, maxBytes - bytes, READ_FRAME_BYTES, this::corrupt);
        end = new SpoolPosition(segment.id, segment.readOffset);
      }
      return new SpoolBatch(List.copyOf(out), end, bytes);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@link #next} has something to return, the spool closes, or the time is up. */
  public boolean awaitRecords(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (!closed && !hasUnread()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = appended.awaitNanos(nanos);
      }
      return hasUnread();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks every record up to the end of {@code batch} delivered: fully delivered segments are
   * deleted and the position is saved for the next start.
   */
  public void ack(SpoolBatch batch) throws IOException {
    if (batch.end() == null) {
      return;
    }
    lock.lock();
    try {
      ensureOpen();
      pendingRecords -= batch.records().size();
      pendingBytes -= batch.bytes();
      if (!batch.end().isAfter(acked)) {
        // Its segment was dropped for room meanwhile; the position moved past it already.
        return;
      }
      acked = batch.end();
      deleteDelivered();
      checkpoint.write(acked);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forces {@code dir}'s entries to disk (a file created or renamed in it), as far as the file
   * system allows: one that cannot open a directory is logged at debug level and skipped.
   */
  public static void syncDirectory(Path dir) {
    SpoolSegment.syncDirectory(dir);
  }

  /** The bound on the files' bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Drops the oldest undelivered records until the files count at most {@code maxDiskBytes} (as
   * {@link SpoolStats#diskBytes()}): whole segments while one is not needed, then record by record
   * in the oldest one kept; the segment being written is sealed first when it is the only one.
   * Records handed out and not yet acknowledged are not counted as dropped (their sender still has
   * them). Used to keep several spools within one bound together.
   */
  public void dropOldestBeyond(long maxDiskBytes, String why) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      long before = droppedRecords;
      if (diskBytes() > maxDiskBytes && segments.size() == 1 && hasUnread()) {
        roll(true);
      }
      shrink(Math.max(0, maxDiskBytes), why);
      if (droppedRecords > before) {
        LOG.warn(
            "spool {}: dropped {} undelivered records, the oldest, because {}",
            dir,
            droppedRecords - before,
            why);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forces the segment being written to disk (see the class comment for when). */
  public void sync() throws IOException {
    lock.lock();
    try {
      if (!closed) {
        active().sync();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Current gauges and counters. */
  public SpoolStats stats() {
    lock.lock();
    try {
      return new SpoolStats(
          pendingRecords, pendingBytes, diskBytes(), droppedRecords, corruptRecords);
    } finally {
      lock.unlock();
    }
  }

  /** The spool's directory. */
  public Path directory() {
    return dir;
  }

  /** Forces what was written, closes the files and releases the directory; idempotent. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      appended.signalAll();
      IOException failure = null;
      for (SpoolSegment s : segments) {
        try {
          s.sync();
          s.close();
        } catch (IOException e) {
          failure = failure == null ? e : failure;
        }
      }
      segments.clear();
      try {
        dirLock.close();
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      lock.unlock();
    }
  }

  private void recover() throws IOException {
    SpoolRecovery.Recovered found = SpoolRecovery.load(dir, checkpoint.read(), READ_FRAME_BYTES);
    segments.addAll(found.segments());
    pendingRecords = found.pendingRecords();
    pendingBytes = found.pendingBytes();
    droppedRecords = found.droppedRecords();
    SpoolSegment first = segments.getFirst();
    acked = new SpoolPosition(first.id, first.readOffset);
    fitLoweredBound();
    if (pendingRecords > 0) {
      LOG.info(
          "spool {} holds {} undelivered records ({} bytes) from an earlier run; they go first",
          dir,
          pendingRecords,
          pendingBytes);
    }
  }

  /**
   * An earlier run with a larger bound may have left more than {@code maxBytes}: drop the oldest
   * records until the rest fits, whole segments while one is not needed to fit, then record by
   * record inside the oldest one kept.
   */
  private void fitLoweredBound() throws IOException {
    long before = droppedRecords;
    shrink(maxBytes, "its bound was lowered to " + maxBytes + " bytes");
    if (droppedRecords > before) {
      LOG.warn(
          "spool {} held more than its bound of {} bytes from an earlier run: dropped its {}"
              + " oldest records; the {} newer ones go first",
          dir,
          maxBytes,
          droppedRecords - before,
          pendingRecords);
    }
  }

  /** Drops the oldest records until the files count at most {@code bytes}, while one is older. */
  private void shrink(long bytes, String why) throws IOException {
    while (diskBytes() > bytes && segments.size() > 1) {
      SpoolSegment oldest = segments.getFirst();
      long excess = diskBytes() - bytes;
      if (oldest.size - oldest.countedFrom <= excess || !skipOldestRecords(oldest, excess)) {
        dropOldest(why);
      }
    }
  }

  /**
   * Skips whole records at the start of {@code oldest} until {@code excess} bytes are no longer
   * counted; false when its frames cannot be walked (the caller drops it whole).
   */
  private boolean skipOldestRecords(SpoolSegment oldest, long excess) throws IOException {
    long offset = oldest.readOffset;
    long records = 0;
    while (offset - oldest.readOffset < excess) {
      long frame = oldest.frameLengthAt(offset, READ_FRAME_BYTES);
      if (frame < 0) {
        return false;
      }
      offset += frame;
      records++;
    }
    // The header and the records skipped stay in the file until it is delivered and deleted.
    pendingBytes -= offset - oldest.readOffset;
    oldest.readOffset = offset;
    oldest.countedFrom = offset;
    oldest.framesRead += records;
    droppedRecords += records;
    pendingRecords -= records;
    acked = new SpoolPosition(oldest.id, offset);
    checkpoint.write(acked);
    return true;
  }

  private void corrupt(SpoolSegment segment, long offset, long length, long frames, String why) {
    LOG.warn(
        "spool segment {}: skipped {} corrupt bytes at offset {} ({}); counted as {} record(s)",
        segment.path.getFileName(),
        length,
        offset,
        why,
        frames);
    segment.readOffset = offset + length;
    segment.framesRead += frames;
    corruptRecords += frames;
    pendingRecords -= frames;
    pendingBytes -= length;
  }

  /**
   * Writes whole frames, making room first; on a full disk drops the oldest segment and tries again
   * until nothing older than the segment being written is left.
   */
  private void appendFrames(ByteBuffer frames, int count) throws IOException {
    while (true) {
      try {
        makeRoom(frames.remaining());
        active().append(frames.duplicate(), count);
        pendingRecords += count;
        pendingBytes += frames.remaining();
        return;
      } catch (IOException e) {
        if (!diskFull(e, frames.remaining())) {
          throw e;
        }
        if (segments.size() > 1) {
          dropOldest("the disk is full (" + e.getMessage() + ")");
        } else if (!recycleDelivered()) {
          throw e;
        }
      }
    }
  }

  /**
   * Empties the only segment when everything in it was delivered: a segment larger than the free
   * space would otherwise fill the disk for good, and there may be no room for a new file. False
   * when it holds records still to deliver or in flight.
   */
  private boolean recycleDelivered() throws IOException {
    SpoolSegment only = active();
    if (only.size <= SpoolFrames.HEADER_BYTES
        || only.readOffset < only.size
        || new SpoolPosition(only.id, only.size).isAfter(acked)) {
      return false;
    }
    // Offsets of this segment are reused from here on, so the saved position must move back to
    // its start before anything is appended; if it cannot be saved, none is better than a stale
    // one (a restart then resends what the spool holds instead of skipping it).
    only.truncateToHeader();
    acked = new SpoolPosition(only.id, SpoolFrames.HEADER_BYTES);
    try {
      checkpoint.write(acked);
    } catch (IOException e) {
      checkpoint.delete();
    }
    return true;
  }

  /**
   * Whether a failed write means no space: Java gives no error code, so the kernel's message for
   * ENOSPC and EDQUOT, or a file system with less free space than the write, tells.
   */
  private boolean diskFull(IOException e, long bytes) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
      return true;
    }
    try {
      return Files.getFileStore(dir).getUsableSpace() < bytes + SpoolFrames.HEADER_BYTES;
    } catch (IOException | RuntimeException unknown) {
      return false;
    }
  }

  private void makeRoom(int bytes) throws IOException {
    SpoolSegment active = active();
    if (active.size > SpoolFrames.HEADER_BYTES && active.size + bytes > segmentBytes) {
      roll(true);
    }
    while (diskBytes() + bytes > maxBytes && segments.size() > 1) {
      dropOldest("it reached its bound of " + maxBytes + " bytes");
    }
  }

  private void roll(boolean keepSealed) throws IOException {
    SpoolSegment sealed = active();
    if (keepSealed) {
      sealed.sync();
    }
    // create forced the new file's header; now its name.
    segments.addLast(SpoolSegment.create(dir, sealed.id + 1));
    SpoolSegment.syncDirectory(dir);
  }

  private void dropOldest(String why) throws IOException {
    SpoolSegment oldest = segments.removeFirst();
    long lostRecords = oldest.frames - oldest.framesRead;
    long lostBytes = oldest.size - oldest.readOffset;
    droppedRecords += lostRecords;
    pendingRecords -= lostRecords;
    pendingBytes -= lostBytes;
    delete(oldest);
    SpoolSegment first = segments.getFirst();
    SpoolPosition firstStart = new SpoolPosition(first.id, first.readOffset);
    if (firstStart.isAfter(acked)) {
      acked = firstStart;
      checkpoint.write(acked);
    }
    if (lostRecords > 0) {
      LOG.warn(
          "spool {}: dropped {} undelivered records, the oldest, because {}",
          dir,
          lostRecords,
          why);
    }
  }

  private void deleteDelivered() throws IOException {
    while (segments.size() > 1) {
      SpoolSegment first = segments.getFirst();
      boolean before = first.id < acked.segmentId();
      boolean fullyAcked = first.id == acked.segmentId() && acked.offset() >= first.size;
      if (!before && !fullyAcked) {
        break;
      }
      segments.removeFirst();
      delete(first);
      SpoolSegment next = segments.getFirst();
      if (fullyAcked) {
        acked = new SpoolPosition(next.id, SpoolFrames.HEADER_BYTES);
      }
    }
    SpoolSegment active = active();
    boolean allDelivered = acked.segmentId() == active.id && acked.offset() >= active.size;
    if (allDelivered && active.size >= segmentBytes / 4) {
      // Nothing waits: start a fresh file so delivered bytes do not sit on disk for long.
      roll(false);
      segments.removeFirst();
      delete(active);
      acked = new SpoolPosition(active().id, SpoolFrames.HEADER_BYTES);
    }
  }

  private void delete(SpoolSegment segment) throws IOException {
    segment.close();
    Files.deleteIfExists(segment.path);
  }

  private boolean hasUnread() {
    for (SpoolSegment s : segments) {
      if (s.readOffset < s.size) {
        return true;
      }
    }
    return false;
  }

  private long diskBytes() {
    long total = 0;
    for (SpoolSegment s : segments) {
      total += s.size - s.countedFrom;
    }
    return total;
  }

  private SpoolSegment active() {
    return segments.getLast();
  }

  private int chunkEnd(List<SpoolRecord> records, int from) {
    long bytes = 0;
    int i = from;
    while (i < records.size()) {
      long next = bytes + SpoolFrames.frameBytes(records.get(i));
      if (i > from && next > segmentBytes) {
        break;
      }
      bytes = next;
      i++;
    }
    return i;
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("spool " + dir + " is closed");
    }
  }
}
