package dev.culprit.bench.fleet;

import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The benchmark's baseline: consume every network sample topic, decode each record with the topic's
 * serde, encode it again and produce it, with the processor's own Streams settings. Whatever the
 * full topology costs beyond this is the cost of judging.
 */
public final class PassThroughTopology {

  /** Where the baseline writes (created by the benchmark). */
  public static final String SINK_TOPIC = "culprit.bench.passthrough";

  private PassThroughTopology() {}

  public static Topology build() {
    StreamsBuilder builder = new StreamsBuilder();
    for (Topic<?> topic : FleetBench.INPUT_TOPICS) {
      addPassThrough(builder, topic);
    }
    return builder.build();
  }

  private static <S extends SpecificRecord> void addPassThrough(
      StreamsBuilder builder, Topic<S> topic) {
    var serde = topic.valueSerde();
    String name = SampleStreams.shortName(topic);
    builder.stream(
            topic.name(),
            Consumed.with(topic.keySerde(), Serdes.ByteArray()).withName(name + "-source"))
        .mapValues(bytes -> serde.encode(serde.decode(bytes)), Named.as(name + "-recode"))
        .to(
            SINK_TOPIC,
            Produced.with(topic.keySerde(), Serdes.ByteArray()).withName(name + "-sink"));
  }
}
