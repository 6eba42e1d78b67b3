package dev.culprit.processor.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SampleTimeExtractorTest {

  private static final long SAMPLE_TIME = 1_700_000_123_456L;
  private static final long RECORD_TIME = 1_600_000_000_000L;

  static Stream<Object[]> samples() {
    SampleFactory f = new SampleFactory("host-1", SAMPLE_TIME);
    return Stream.of(
        new Object[] {
          Topics.INTERFACE,
          f.interfaces("netns-with-a-long-name", SampleFactory.iface("eth0").build())
        },
        new Object[] {Topics.PROTOCOL, f.protocol("", Map.of("Tcp.RetransSegs", 3L))},
        new Object[] {Topics.CONNTRACK, f.conntrack("x", 1, 2, Map.of())},
        new Object[] {
          Topics.QDISC, f.qdiscs("", SampleFactory.qdisc("eth0", "noqueue", "0:").build())
        },
        new Object[] {Topics.FILTER, f.filter("", List.of(), List.of())});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  <V extends SpecificRecord> void readsSampleTimeFromTheRecordFrontWithoutDecodingIt(
      Topic<V> topic, V sample) {
    byte[] bytes = topic.valueSerde().encode(sample);
    SampleTimeExtractor extractor = new SampleTimeExtractor(topic);
    assertThat(extractor.peek(bytes)).isEqualTo(SAMPLE_TIME);
    assertThat(extractor.extract(record(topic, bytes), 0)).isEqualTo(SAMPLE_TIME);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  <V extends SpecificRecord> void aRecordThatIsNotASampleKeepsItsKafkaTimestamp(
      Topic<V> topic, V sample) {
    SampleTimeExtractor extractor = new SampleTimeExtractor(topic);
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    assertThat(extractor.extract(record(topic, garbage), 0)).isEqualTo(RECORD_TIME);
    byte[] truncated = java.util.Arrays.copyOf(topic.valueSerde().encode(sample), 12);
    assertThat(extractor.peek(truncated)).isEqualTo(-1);
    assertThat(extractor.extract(record(topic, truncated), 0)).isEqualTo(RECORD_TIME);
    // Once the partition has a time, garbage takes it: a producer's wall-clock stamp far ahead of
    // the samples would hold every later sample of the partition behind the garbage.
    long partitionTime = SAMPLE_TIME - 5_000;
    assertThat(extractor.extract(record(topic, garbage), partitionTime)).isEqualTo(partitionTime);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  <V extends SpecificRecord> void aSampleTooFarAheadOfTheClockTakesItsPartitionsTimeAndIsFlagged(
      Topic<V> topic, V sample) {
    byte[] bytes = topic.valueSerde().encode(sample);
    long clock = SAMPLE_TIME - Duration.ofHours(1).toMillis();
    SampleTimeExtractor extractor =
        new SampleTimeExtractor(
            topic, Duration.ofMinutes(5), ClockReference.WALL_CLOCK, () -> clock);
    ConsumerRecord<Object, Object> r = record(topic, bytes);
    long partitionTime = clock - 3_000;
    assertThat(extractor.extract(r, partitionTime)).isEqualTo(partitionTime);
    assertThat(r.headers().lastHeader(SampleTimeExtractor.CLOCK_SKEW_HEADER).value())
        .asString(StandardCharsets.US_ASCII)
        .isEqualTo(Long.toString(clock));
    // Within the skew: its own time, no flag.
    SampleTimeExtractor lenient =
        new SampleTimeExtractor(topic, Duration.ofHours(2), ClockReference.WALL_CLOCK, () -> clock);
    ConsumerRecord<Object, Object> fine = record(topic, bytes);
    // A producer cannot get a sample rejected by setting the flag itself.
    fine.headers().add(SampleTimeExtractor.CLOCK_SKEW_HEADER, "1".getBytes(StandardCharsets.UTF_8));
    assertThat(lenient.extract(fine, partitionTime)).isEqualTo(SAMPLE_TIME);
    assertThat(fine.headers().lastHeader(SampleTimeExtractor.CLOCK_SKEW_HEADER)).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  <V extends SpecificRecord> void inReplayTheClockIsTheRecordsKafkaTimestampNotTheWallClock(
      Topic<V> topic, V sample) {
    byte[] bytes = topic.valueSerde().encode(sample);
    // The wall clock is years later; the record was appended an hour before its sample's time.
    SampleTimeExtractor replay =
        new SampleTimeExtractor(
            topic, Duration.ofMinutes(5), ClockReference.RECORD_TIMESTAMP, () -> Long.MAX_VALUE);
    ConsumerRecord<Object, Object> r = record(topic, bytes, SAMPLE_TIME - 3_600_000);
    assertThat(replay.extract(r, 0)).isZero();
    assertThat(r.headers().lastHeader(SampleTimeExtractor.CLOCK_SKEW_HEADER)).isNotNull();
  }

  private static ConsumerRecord<Object, Object> record(Topic<?> topic, byte[] value) {
    return record(topic, value, RECORD_TIME);
  }

  private static ConsumerRecord<Object, Object> record(
      Topic<?> topic, byte[] value, long timestamp) {
    return new ConsumerRecord<>(
        topic.name(),
        0,
        0L,
        timestamp,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        0,
        value.length,
        "host-1",
        value,
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }
}
