package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.Topics;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a replay on the cluster admits of the live sample partitions, and where it writes. */
class ReplayScopeTest {

  private static final String FILTER = Topics.FILTER.name();

  private final ReplayScope scope =
      new ReplayScope(
          "culprit-replay-r1.",
          Map.of(new TopicPartition(FILTER, 0), 10L, new TopicPartition(FILTER, 1), 0L),
          5_000,
          Set.of());

  @Test
  void admitsRecordsBeforeThePartitionsStopAndTheRangesEnd() {
    assertThat(scope.admits(record(FILTER, 0, 9, 4_999, "web-1"))).isTrue();
    assertThat(scope.admits(record(FILTER, 0, 10, 4_000, "web-1"))).as("at the stop").isFalse();
    assertThat(scope.admits(record(FILTER, 0, 3, 5_000, "web-1")))
        .as("a host's clock ahead: stamped past the range")
        .isFalse();
    assertThat(scope.admits(record(FILTER, 1, 0, 1_000, "web-1"))).as("empty range").isFalse();
    assertThat(scope.admits(record(FILTER, 2, 0, 1_000, "web-1")))
        .as("a partition the plan does not have (added since)")
        .isFalse();
    assertThat(scope.admits(record(Topics.QDISC.name(), 0, 0, 1_000, "web-1"))).isFalse();
  }

  @Test
  void admitsOnlyTheChosenHostsWhenThereAreSome() {
    ReplayScope web2 =
        new ReplayScope(
            "culprit-replay-r1.",
            Map.of(new TopicPartition(FILTER, 0), 10L),
            5_000,
            Set.of("web-2"));
    assertThat(web2.admits(record(FILTER, 0, 1, 1_000, "web-2"))).isTrue();
    assertThat(web2.admits(record(FILTER, 0, 1, 1_000, "web-1"))).isFalse();
    assertThat(web2.admits(record(FILTER, 0, 1, 1_000, null))).as("no key").isFalse();
  }

  @Test
  void writesToTopicsOfItsRunNeverToTheContracts() {
    assertThat(scope.resultTopic(Topics.ROOTCAUSE_OOM))
        .isEqualTo("culprit-replay-r1.rootcause.oom");
    assertThat(scope.resultTopic(Topics.DEAD_LETTER)).isEqualTo("culprit-replay-r1.deadletter");
    ProcessorConfig replay = ProcessorConfig.defaults("127.0.0.1:9").withReplayScope(scope);
    assertThat(replay.resultTopic(Topics.FLEET_INCIDENTS))
        .isEqualTo(scope.resultTopic(Topics.FLEET_INCIDENTS));
    assertThat(ProcessorConfig.defaults("127.0.0.1:9").resultTopic(Topics.FLEET_INCIDENTS))
        .isEqualTo(Topics.FLEET_INCIDENTS.name());
    assertThatThrownBy(() -> new ReplayScope("culprit.", Map.of(), 0, Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReplayScope("", Map.of(), 0, Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ConsumerRecord<Object, Object> record(
      String topic, int partition, long offset, long timestamp, String key) {
    return new ConsumerRecord<>(
        topic,
        partition,
        offset,
        timestamp,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        0,
        0,
        key,
        new byte[0],
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }
}
