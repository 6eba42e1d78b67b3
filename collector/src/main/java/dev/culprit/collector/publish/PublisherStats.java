package dev.culprit.collector.publish;

import java.util.Map;

/**
 * Delivery state of a publisher, as reported in {@code CollectorHealth}.
 *
 * @param spooledRecords gauge: records waiting for the broker's acknowledgement
 * @param spooledBytes gauge: their bytes in the spool
 * @param spoolDroppedRecords counter: undelivered records dropped, oldest first, because the spool
 *     was full or refused the write
 * @param spoolCorruptRecords counter: spool records skipped because they were corrupt on disk
 * @param sendErrors counter: delivery attempts (records) that failed and are retried from the spool
 * @param rejectedRecords counter: records that can never be delivered (cannot be encoded, larger
 *     than the broker or spool allows), logged and skipped
 * @param senderFailures counter: times the thread that drains the spool failed unexpectedly and
 *     started over after a pause; while it rises, records pile up in the spool
 * @param connectionsOpened counter: TCP connections opened to brokers, one per broker and then one
 *     per reconnect (after a request timed out or a connection was lost)
 * @param unavailableTopics topics whose records the broker refuses now (missing, or denied by an
 *     ACL), each with the broker's error; their records wait in the spool while the rest goes on
 * @param timestampRefusedRecords counter: records the broker refused for their timestamp
 *     (INVALID_TIMESTAMP: the host's clock is off by more than the topic's {@code
 *     message.timestamp.after.max.ms} or {@code before.max.ms}), dropped; part of {@code
 *     rejectedRecords}
 * @param spoolExpiredRecords counter: spooled records dropped unsent because they were older than
 *     {@code --spool-max-age} (the topics' retention would delete them as they arrive)
 */
public record PublisherStats(
    long spooledRecords,
    long spooledBytes,
    long spoolDroppedRecords,
    long spoolCorruptRecords,
    long sendErrors,
    long rejectedRecords,
    long senderFailures,
    long connectionsOpened,
    Map<String, String> unavailableTopics,
    long timestampRefusedRecords,
    long spoolExpiredRecords) {

  /** Nothing spooled, nothing lost. */
  public static final PublisherStats NONE =
      new PublisherStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0);

  public PublisherStats {
    unavailableTopics = Map.copyOf(unavailableTopics);
  }

  /** Without records refused for their timestamp. */
  public PublisherStats(
      long spooledRecords,
      long spooledBytes,
      long spoolDroppedRecords,
      long spoolCorruptRecords,
      long sendErrors,
      long rejectedRecords,
      long senderFailures,
      long connectionsOpened,
      Map<String, String> unavailableTopics) {
    this(
        spooledRecords,
        spooledBytes,
        spoolDroppedRecords,
        spoolCorruptRecords,
        sendErrors,
        rejectedRecords,
        senderFailures,
        connectionsOpened,
        unavailableTopics,
        0,
        0);
  }

  /** For publishers without a sender thread. */
  public PublisherStats(
      long spooledRecords,
      long spooledBytes,
      long spoolDroppedRecords,
      long spoolCorruptRecords,
      long sendErrors,
      long rejectedRecords) {
    this(
        spooledRecords,
        spooledBytes,
        spoolDroppedRecords,
        spoolCorruptRecords,
        sendErrors,
        rejectedRecords,
        0,
        0,
        Map.of());
  }
}
