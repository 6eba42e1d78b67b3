package dev.culprit.collector.publish.spool;

import java.util.List;

/**
 * Records handed out by {@link Spool#next}, to be acknowledged as a whole once delivered.
 *
 * @param records the records, in spool order
 * @param end where the batch ends (past any corrupt frames skipped on the way); null when the spool
 *     had nothing
 * @param bytes the bytes of the records' frames
 */
public record SpoolBatch(List<SpoolRecord> records, SpoolPosition end, long bytes) {

  /** Whether there is nothing to send (there may still be corrupt frames to acknowledge). */
  public boolean isEmpty() {
    return records.isEmpty();
  }
}
