package dev.culprit.processor.decode;

/**
 * What "now" is when a sample's time is checked against the processor's clock (see {@link
 * SampleTimeExtractor}): a sample further ahead of it than the allowed skew is a host whose clock
 * jumped, and it must not move the partition's stream time.
 */
public enum ClockReference {
  /** Live: the processor's wall clock when the record is consumed. */
  WALL_CLOCK,
  /**
   * Replay: the record's Kafka timestamp, so that the same input gives the same decisions whatever
   * day the replay runs. On topics stamped with log-append time that is the broker's clock at the
   * time the sample arrived, which is what the live processor judged against (give or take its
   * lag); on create-time topics (the default: the collector stamps the sample time) it is the
   * sample's own time, so no sample is rejected as skewed, and the replay's merge in timestamp
   * order is what keeps a far-ahead sample from overtaking the others.
   */
  RECORD_TIMESTAMP
}
