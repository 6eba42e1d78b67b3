package dev.culprit.processor.decode;

import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Decodes the value bytes of one sample topic with that topic's serde and checks the sample header;
 * a record that fails becomes a dead letter with its topic, partition, offset and reason.
 *
 * <p>The key must equal the sample's host: the topology groups by key without repartitioning, so a
 * record keyed otherwise would be judged with another host's state.
 *
 * <p>A sample the {@link SampleTimeExtractor} flagged as too far ahead of the processor's clock is
 * a dead letter at stage {@code clock-skew}, naming the host and by how much its clock is ahead.
 */
final class DecodeProcessor<V extends SpecificRecord>
    implements FixedKeyProcessor<String, byte[], Outcome<V>> {

  private final Topic<V> topic;
  private final AvroSerde<V> serde;
  private final LongAdder recordsIn;
  private FixedKeyProcessorContext<String, Outcome<V>> context;

  /**
   * @param serde the topic's serde, possibly resolving writer schemas unknown to this build from
   *     {@code culprit.schemas}
   * @param recordsIn counts every record consumed from the topic, whatever becomes of it
   */
  DecodeProcessor(Topic<V> topic, AvroSerde<V> serde, LongAdder recordsIn) {
    this.topic = topic;
    this.serde = serde;
    this.recordsIn = recordsIn;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Outcome<V>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    recordsIn.increment();
    Header skewed = record.headers().lastHeader(SampleTimeExtractor.CLOCK_SKEW_HEADER);
    if (skewed != null) {
      context.forward(record.withValue(skewed(record, skewed)));
      return;
    }
    byte[] bytes = record.value();
    if (bytes == null) {
      context.forward(record.withValue(failed(record, "decode", "null value (tombstone)", null)));
      return;
    }
    V value;
    try {
      value = serde.decode(bytes);
    } catch (RuntimeException e) {
      context.forward(record.withValue(failed(record, "decode", e.getMessage(), e)));
      return;
    }
    String problem = validate(record.key(), value);
    if (problem != null) {
      context.forward(record.withValue(failed(record, "validate", problem, null)));
      return;
    }
    context.forward(record.withValue(Outcome.ok(value)));
  }

  // The extractor flagged it (and kept it from moving stream time): say whose clock and by how
  // much.
  private Outcome<V> skewed(FixedKeyRecord<String, byte[]> record, Header header) {
    long referenceMs = Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
    String host = record.key();
    long sampleTimeMs = -1;
    try {
      SampleHeader sample = SampleHeader.of(serde.decode(record.value()));
      host = sample.host();
      sampleTimeMs = sample.sampleTimeMs();
    } catch (RuntimeException e) {
      // The extractor read the time from the record's front; the rest may not decode.
    }
    Duration ahead =
        Duration.ofMillis(Math.max(0, sampleTimeMs - referenceMs)).truncatedTo(ChronoUnit.SECONDS);
    String reason =
        "clock skew: sample of host "
            + quote(host)
            + " is "
            + ahead
            + " ahead of the processor's clock (sampleTimeMs "
            + sampleTimeMs
            + ", processor clock "
            + referenceMs
            + "), more than the allowed skew; the host's clock jumped, and its samples are not"
            + " judged until it is right again";
    SkewWarnings.warn(host, topic.name(), ahead);
    return failed(record, "clock-skew", reason, null);
  }

  private static String validate(String key, SpecificRecord value) {
    SampleHeader header = SampleHeader.of(value);
    if (header.host() == null || header.host().isBlank()) {
      return "sample has a blank host";
    }
    if (!header.host().equals(key)) {
      return "record key " + quote(key) + " is not the sample's host " + quote(header.host());
    }
    if (header.sampleTimeMs() <= 0) {
      return "sampleTimeMs " + header.sampleTimeMs() + " is not an epoch time";
    }
    if (header.collectorId() == null || header.collectorId().isBlank()) {
      return "sample has a blank collectorId";
    }
    return null;
  }

  private Outcome<V> failed(
      FixedKeyRecord<String, byte[]> record, String stage, String reason, Throwable error) {
    return Outcome.failed(
        DeadLetters.of(
            context.recordMetadata(),
            record.timestamp(),
            record.key(),
            record.value(),
            stage,
            reason,
            error));
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
