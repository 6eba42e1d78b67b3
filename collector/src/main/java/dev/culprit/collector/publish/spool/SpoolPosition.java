package dev.culprit.collector.publish.spool;

/**
 * A place in the spool: a segment and a byte offset in it. Offsets are never reused within a
 * segment and segment ids only grow, so positions order the spool's whole history.
 *
 * @param segmentId the segment's id (its file name)
 * @param offset the byte offset inside that segment
 */
public record SpoolPosition(long segmentId, long offset) implements Comparable<SpoolPosition> {

  @Override
  public int compareTo(SpoolPosition other) {
    int bySegment = Long.compare(segmentId, other.segmentId);
    return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
  }

  public boolean isAfter(SpoolPosition other) {
    return compareTo(other) > 0;
  }
}
