package dev.culprit.processor.bench;

import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
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
    for (SampleKind<?> kind : SampleKinds.network()) {
      addPassThrough(builder, kind);
    }
    return builder.build();
  }

  private static <S extends SpecificRecord> void addPassThrough(
      StreamsBuilder builder, SampleKind<S> kind) {
    var serde = kind.topic().valueSerde();
    builder.stream(
            kind.topic().name(),
            Consumed.with(kind.topic().keySerde(), Serdes.ByteArray())
                .withName(kind.name() + "-source"))
        .mapValues(bytes -> serde.encode(serde.decode(bytes)), Named.as(kind.name() + "-recode"))
        .to(
            SINK_TOPIC,
            Produced.with(kind.topic().keySerde(), Serdes.ByteArray())
                .withName(kind.name() + "-sink"));
  }
}
