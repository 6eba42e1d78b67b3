package dev.culprit.processor.decode;

import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.SchemaHistory;
import dev.culprit.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a sample record still in its encoded form: its {@code sampleTimeMs}.
 *
 * <p>Sources are consumed as bytes so that a record which does not decode reaches the dead-letter
 * step instead of stopping the stream; the extractor therefore sees bytes. Every sample schema
 * starts with {@code host, netns, sampleTimeMs}, so for writer schemas known to have that layout
 * (recognised by the fingerprint in the single-object header) the time is read from the first three
 * fields without decoding the rest. Any other record is decoded in full; a record that does not
 * decode takes its partition's time (its Kafka timestamp when the partition has none yet), so it
 * flows on to the dead-letter topic without reordering the samples behind it.
 *
 * <p>A sample further ahead of the processor's clock (see {@link ClockReference}) than the allowed
 * skew comes from a host whose clock jumped. Streams advances a partition's stream time from the
 * extracted timestamp before any node sees the record, and one sample a day ahead would make every
 * other host's windows on that partition late; so such a sample does not get its own time: it takes
 * its partition's time and is flagged with the {@value #CLOCK_SKEW_HEADER} header (the reference
 * time), and the decode step turns it into a dead letter.
 */
public final class SampleTimeExtractor implements TimestampExtractor {

  /** Header set on a record whose sample time is too far ahead: the reference time, epoch ms. */
  public static final String CLOCK_SKEW_HEADER = "culprit.clock-reference-ms";

  private static final int HEADER_BYTES = 10;

  private final AvroSerde<?> serde;
  private final Set<Long> peekableFingerprints;
  private final long maxAheadMs;
  private final ClockReference reference;
  private final LongSupplier wallClock;

  /** An extractor without a skew check, for tools that read samples outside the processor. */
  public SampleTimeExtractor(Topic<?> topic) {
    this(topic, Duration.ofMillis(Long.MAX_VALUE), ClockReference.WALL_CLOCK);
  }

  public SampleTimeExtractor(Topic<?> topic, Duration maxAhead, ClockReference reference) {
    this(topic, topic.valueSerde(), maxAhead, reference, System::currentTimeMillis);
  }

  /**
   * @param serde decodes records whose layout is not known to start with the sample header: the
   *     topic's serde, possibly resolving newer collectors' schemas from {@code culprit.schemas}
   */
  public SampleTimeExtractor(
      Topic<?> topic, AvroSerde<?> serde, Duration maxAhead, ClockReference reference) {
    this(topic, serde, maxAhead, reference, System::currentTimeMillis);
  }

  SampleTimeExtractor(
      Topic<?> topic, Duration maxAhead, ClockReference reference, LongSupplier wallClock) {
    this(topic, topic.valueSerde(), maxAhead, reference, wallClock);
  }

  SampleTimeExtractor(
      Topic<?> topic,
      AvroSerde<?> serde,
      Duration maxAhead,
      ClockReference reference,
      LongSupplier wallClock) {
    this.serde = serde;
    this.peekableFingerprints = peekableFingerprints(topic);
    this.maxAheadMs = maxAhead.toMillis();
    this.reference = reference;
    this.wallClock = wallClock;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    // The flag is ours alone: a producer that sets it does not get its samples rejected.
    record.headers().remove(CLOCK_SKEW_HEADER);
    long sampleTime = sampleTime(record);
    if (sampleTime > 0) {
      long now =
          reference == ClockReference.WALL_CLOCK ? wallClock.getAsLong() : record.timestamp();
      if (sampleTime - now <= maxAheadMs) {
        return sampleTime;
      }
      record
          .headers()
          .add(CLOCK_SKEW_HEADER, Long.toString(now).getBytes(StandardCharsets.US_ASCII));
      // Neither the sample's time nor its Kafka timestamp (the collector stamps the same skewed
      // time): 0 moves no stream time when the partition has none yet.
      return Math.max(partitionTime, 0);
    }
    // Not a sample: stamp it with its partition's time, not the producer's clock. A wall-clock
    // stamp far ahead of the samples' event time would hold every later record of the partition
    // behind it (Streams picks the partition with the smallest head), so a replay or a backlog
    // would see valid samples after the windows they belong to had closed.
    return partitionTime > 0 ? partitionTime : Math.max(record.timestamp(), 0);
  }

  /** The sample time of a record, or -1 when it is not a sample. */
  private long sampleTime(ConsumerRecord<Object, Object> record) {
    if (record.value() instanceof byte[] bytes) {
      long peeked = peek(bytes);
      if (peeked > 0) {
        return peeked;
      }
      try {
        long decoded = SampleHeader.of(serde.decode(bytes)).sampleTimeMs();
        if (decoded > 0) {
          return decoded;
        }
      } catch (RuntimeException e) {
        // Not a sample: it goes to the dead-letter topic at the decode step, with the reason.
      }
    }
    return -1;
  }

  /** sampleTimeMs from the front of a known-layout record, or -1. */
  long peek(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || (bytes[0] & 0xff) != 0xC3 || (bytes[1] & 0xff) != 0x01) {
      return -1;
    }
    if (!peekableFingerprints.contains(littleEndianLong(bytes, 2))) {
      return -1;
    }
    int[] cursor = {HEADER_BYTES};
    if (!skipString(bytes, cursor) || !skipString(bytes, cursor)) {
      return -1;
    }
    return readLong(bytes, cursor);
  }

  private static Set<Long> peekableFingerprints(Topic<?> topic) {
    List<Schema> versions = new ArrayList<>(SchemaHistory.versions(topic.valueSchema().getName()));
    versions.add(topic.valueSchema());
    Set<Long> fingerprints = new HashSet<>();
    for (Schema schema : versions) {
      List<Schema.Field> fields = schema.getFields();
      if (fields.size() >= 3
          && isField(fields.get(0), "host", Schema.Type.STRING)
          && isField(fields.get(1), "netns", Schema.Type.STRING)
          && isField(fields.get(2), "sampleTimeMs", Schema.Type.LONG)) {
        fingerprints.add(SchemaNormalization.parsingFingerprint64(schema));
      }
    }
    return fingerprints;
  }

  private static boolean isField(Schema.Field field, String name, Schema.Type type) {
    return field.name().equals(name) && field.schema().getType() == type;
  }

  private static long littleEndianLong(byte[] bytes, int offset) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (bytes[offset + i] & 0xffL);
    }
    return value;
  }

  private static boolean skipString(byte[] bytes, int[] cursor) {
    long length = readLong(bytes, cursor);
    if (length < 0 || cursor[0] + length > bytes.length) {
      return false;
    }
    cursor[0] += (int) length;
    return true;
  }

  /** An Avro zig-zag varint long, or -1 when the bytes end or it is longer than 10 bytes. */
  private static long readLong(byte[] bytes, int[] cursor) {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (cursor[0] >= bytes.length) {
        return -1;
      }
      int b = bytes[cursor[0]++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    return -1;
  }
}
