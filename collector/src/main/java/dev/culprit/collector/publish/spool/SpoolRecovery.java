package dev.culprit.collector.publish.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens what an earlier run left in a spool directory, for {@link Spool#open}. */
final class SpoolRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

  private SpoolRecovery() {}

  /**
   * The segments to deliver, oldest first, and a fresh segment for new records at the end.
   *
   * @param segments the segments; the last one is new and empty
   * @param pendingRecords frames after the checkpoint
   * @param pendingBytes their bytes
   * @param droppedRecords frames of old segments deleted because a full disk had no room for the
   *     new one
   */
  record Recovered(
      List<SpoolSegment> segments, long pendingRecords, long pendingBytes, long droppedRecords) {}

  /**
   * Opens every segment at or after {@code saved} (deleting older ones, which were delivered) and
   * creates the segment new records go to; old segments are only read.
   *
   * @param saved the acknowledged position, or null to deliver everything
   */
  static Recovered load(Path dir, SpoolPosition saved, int maxFrameBytes) throws IOException {
    List<Long> ids = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(SpoolSegment::idOf).filter(id -> id >= 0).sorted().forEach(ids::add);
    }
    List<SpoolSegment> segments = new ArrayList<>();
    long records = 0;
    long bytes = 0;
    long dropped = 0;
    try {
      for (long id : ids) {
        Path path = dir.resolve(SpoolSegment.fileName(id));
        if (saved != null && id < saved.segmentId()) {
          // Delivered before the last stop; the deletion just did not happen yet.
          Files.deleteIfExists(path);
          continue;
        }
        long readFrom = saved != null && id == saved.segmentId() ? saved.offset() : 0;
        SpoolSegment segment = SpoolSegment.open(path, id, readFrom, maxFrameBytes);
        segments.add(segment);
        records += segment.frames;
        bytes += segment.size - segment.readOffset;
      }
      long nextId = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).id + 1;
      if (saved != null) {
        nextId = Math.max(nextId, saved.segmentId() + 1);
      }
      while (true) {
        try {
          segments.add(SpoolSegment.create(dir, nextId));
          break;
        } catch (IOException e) {
          if (segments.isEmpty()) {
            throw e;
          }
          // A full disk has no room for the new segment: the oldest records make room, as when
          // appending.
          SpoolSegment oldest = segments.remove(0);
          records -= oldest.frames;
          bytes -= oldest.size - oldest.readOffset;
          dropped += oldest.frames;
          oldest.close();
          Files.deleteIfExists(oldest.path);
          LOG.warn(
              "spool {}: no room for a new segment ({}); dropped {} undelivered records, the"
                  + " oldest",
              dir,
              e.getMessage(),
              oldest.frames);
        }
      }
      SpoolSegment.syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      for (SpoolSegment s : segments) {
        try {
          s.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return new Recovered(segments, records, bytes, dropped);
  }
}
