package dev.culprit.processor.decode;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.processor.ReplayScope;
import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The decoded sample streams of one topology, shared by its sub-topologies (packet loss now, OOM
 * next): each sample topic is consumed once, as bytes with its sample-time extractor, decoded with
 * the topic's own serde, and every record that does not decode goes to {@code culprit.deadletter}
 * with its coordinates and the reason while the stream goes on.
 *
 * <p>Nodes are named after the topic's last segment: {@code interface-source}, {@code
 * interface-decode}, {@code interface-decoded-ok}, {@code interface-deadletter-sink}.
 */
public final class SampleStreams {

  private final StreamsBuilder builder;
  private final Duration maxClockSkew;
  private final ClockReference clockReference;
  private final ProcessorMetrics metrics;
  private final SchemaStore schemas;
  private final ReplayScope scope;
  private final Map<Topic<?>, KStream<String, ?>> decoded = new HashMap<>();

  /**
   * @param maxClockSkew samples further ahead of the processor's clock go to the dead-letter topic
   * @param clockReference what the processor's clock is
   */
  public SampleStreams(
      StreamsBuilder builder, Duration maxClockSkew, ClockReference clockReference) {
    this(builder, maxClockSkew, clockReference, new ProcessorMetrics(), null);
  }

  /**
   * @param metrics where the topology counts records in, dead letters, late records and causes
   * @param schemas asked for writer schemas not in this build's history (those of newer collectors,
   *     from {@code culprit.schemas}); null to dead-letter such records at once
   */
  public SampleStreams(
      StreamsBuilder builder,
      Duration maxClockSkew,
      ClockReference clockReference,
      ProcessorMetrics metrics,
      SchemaStore schemas) {
    this(builder, maxClockSkew, clockReference, metrics, schemas, null);
  }

  /**
   * @param scope null live; a replay on the cluster: only its range's records are read (the others
   *     are dropped before they move stream time) and dead letters go to its own topic
   */
  public SampleStreams(
      StreamsBuilder builder,
      Duration maxClockSkew,
      ClockReference clockReference,
      ProcessorMetrics metrics,
      SchemaStore schemas,
      ReplayScope scope) {
    this.scope = scope;
    this.builder = builder;
    this.maxClockSkew = maxClockSkew;
    this.clockReference = clockReference;
    this.metrics = metrics;
    this.schemas = schemas;
  }

  /** The counters every sub-topology of this topology counts in. */
  public ProcessorMetrics metrics() {
    return metrics;
  }

  /** The decoded records of a sample topic, keyed by host, timestamped with sample time. */
  @SuppressWarnings("unchecked")
  public <V extends SpecificRecord> KStream<String, V> stream(Topic<V> topic) {
    if (topic.kind() != Topic.Kind.SAMPLE) {
      throw new IllegalArgumentException(topic.name() + " is not a sample topic");
    }
    return (KStream<String, V>) decoded.computeIfAbsent(topic, t -> build(topic));
  }

  /** The short name used for a topic's nodes and stores: the last segment of its name. */
  public static String shortName(Topic<?> topic) {
    return topic.name().substring(topic.name().lastIndexOf('.') + 1);
  }

  private <V extends SpecificRecord> KStream<String, V> build(Topic<V> topic) {
    String name = shortName(topic);
    AvroSerde<V> serde =
        schemas == null ? topic.valueSerde() : topic.valueSerde().resolvingUnknownWith(schemas);
    Map<String, KStream<String, Outcome<V>>> branches =
        builder.stream(
                topic.name(),
                Consumed.with(topic.keySerde(), Serdes.ByteArray())
                    .withTimestampExtractor(extractor(topic, serde))
                    .withName(name + "-source"))
            .processValues(
                () -> new DecodeProcessor<>(topic, serde, metrics.recordsIn(topic.name())),
                Named.as(name + "-decode"))
            .split(Named.as(name + "-decoded-"))
            .branch((host, outcome) -> outcome.isOk(), Branched.as("ok"))
            .defaultBranch(Branched.as("failed"));
    KStream<String, DeadLetter> deadLetters =
        branches
            .get(name + "-decoded-failed")
            .mapValues(
                outcome -> {
                  DeadLetter letter = outcome.letter();
                  metrics.deadLettered(letter.getStage());
                  return letter;
                },
                Named.as(name + "-deadletter"));
    deadLetters.to(
        scope == null ? Topics.DEAD_LETTER.name() : scope.resultTopic(Topics.DEAD_LETTER),
        Produced.with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
            .withName(name + "-deadletter-sink"));
    return branches.get(name + "-decoded-ok").mapValues(Outcome::value, Named.as(name + "-sample"));
  }

  private TimestampExtractor extractor(Topic<?> topic, AvroSerde<?> serde) {
    SampleTimeExtractor sampleTime =
        new SampleTimeExtractor(topic, serde, maxClockSkew, clockReference);
    if (scope == null) {
      return sampleTime;
    }
    // A negative time: Kafka Streams drops the record before it moves any stream time.
    return (record, partitionTime) ->
        scope.admits(record) ? sampleTime.extract(record, partitionTime) : -1;
  }
}
