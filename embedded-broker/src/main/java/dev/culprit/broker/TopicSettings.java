package dev.culprit.broker;

import java.time.Duration;

/**
 * How the contract topics are created.
 *
 * @param samplePartitions partitions of every sample topic: one count for all, because the
 *     processor joins them by host key and co-partitioned inputs avoid a repartition
 * @param resultPartitions partitions of result and dead-letter topics
 * @param replicationFactor replicas (1 on the embedded broker)
 * @param sampleRetention how long samples are kept: the horizon of postmortem replays
 * @param resultRetention how long root causes, incidents and dead letters are kept
 */
public record TopicSettings(
    int samplePartitions,
    int resultPartitions,
    short replicationFactor,
    Duration sampleRetention,
    Duration resultRetention) {

  public TopicSettings {
    if (samplePartitions < 1 || resultPartitions < 1 || replicationFactor < 1) {
      throw new IllegalArgumentException("partitions and replication factor must be >= 1");
    }
    if (sampleRetention.isNegative() || resultRetention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative");
    }
  }

  /** Single-node defaults: 3 partitions, samples kept 7 days, results 30 days. */
  public static TopicSettings defaults() {
    return new TopicSettings(3, 3, (short) 1, Duration.ofDays(7), Duration.ofDays(30));
  }

  /** The same settings with another sample retention. */
  public TopicSettings withSampleRetention(Duration retention) {
    return new TopicSettings(
        samplePartitions, resultPartitions, replicationFactor, retention, resultRetention);
  }
}
