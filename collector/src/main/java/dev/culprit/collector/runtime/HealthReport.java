package dev.culprit.collector.runtime;

import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.records.CollectorHealth;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.records.SourceStatus;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import java.util.List;

/** Builds the cycle's {@link CollectorHealth} record. */
final class HealthReport {

  /** The source name of a topic's delivery in the health record: {@code publish:<topic>}. */
  static final String PUBLISH_SOURCE = "publish:";

  private HealthReport() {}

  /**
   * @param header the cycle's header for the host's own namespace
   * @param cycleDurationUs from the start of the cycle until its records were complete
   * @param outcomes every call of the cycle, namespace discovery first
   * @param stats the publisher's state before this cycle's records were handed over
   */
  static Sample build(
      Header header,
      long cycleDurationUs,
      List<? extends CallOutcome<?>> outcomes,
      PublisherStats stats) {
    List<SourceStatus> statuses =
        outcomes.stream()
            .map(
                o ->
                    SourceStatus.newBuilder()
                        .setSource(o.key().source())
                        .setNetns(o.key().netns())
                        .setStatus(o.state())
                        .setReason(o.reason())
                        .setDurationUs(o.durationUs())
                        .build())
            .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
    // A topic the broker refuses (missing, denied) is named with the broker's error: its records
    // wait in the spool while the others go, which an unreachable broker would not explain.
    stats
        .unavailableTopics()
        .forEach(
            (topic, error) ->
                statuses.add(
                    SourceStatus.newBuilder()
                        .setSource(PUBLISH_SOURCE + topic)
                        .setNetns("")
                        .setStatus(SourceState.ERROR)
                        .setReason(error)
                        .setDurationUs(0)
                        .build()));
    CollectorHealth health =
        CollectorHealth.newBuilder(header.stamp(new CollectorHealth()))
            .setCycleDurationUs(cycleDurationUs)
            .setSources(statuses)
            .setSpooledRecords(stats.spooledRecords())
            .setSpooledBytes(stats.spooledBytes())
            .setSpoolDroppedRecords(stats.spoolDroppedRecords())
            .setSendErrors(stats.sendErrors())
            .setSpoolCorruptRecords(stats.spoolCorruptRecords())
            .setRejectedRecords(stats.rejectedRecords())
            .setSenderFailures(stats.senderFailures())
            .setTimestampRefusedRecords(stats.timestampRefusedRecords())
            .setSpoolExpiredRecords(stats.spoolExpiredRecords())
            .build();
    return new Sample(WireTopics.COLLECTOR, header.host(), health);
  }
}
