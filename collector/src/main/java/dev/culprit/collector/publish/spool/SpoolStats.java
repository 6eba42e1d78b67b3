package dev.culprit.collector.publish.spool;

/**
 * What the spool holds and has lost.
 *
 * @param pendingRecords gauge: records not yet acknowledged by the broker (waiting or in flight)
 * @param pendingBytes gauge: their bytes on disk
 * @param diskBytes gauge: bytes of all segment files, the quantity the bound limits
 * @param droppedRecords counter: undelivered records deleted because the spool was full
 * @param corruptRecords counter: frames skipped because their CRC or length was bad
 */
public record SpoolStats(
    long pendingRecords,
    long pendingBytes,
    long diskBytes,
    long droppedRecords,
    long corruptRecords) {}
