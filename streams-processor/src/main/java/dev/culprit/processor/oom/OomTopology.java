package dev.culprit.processor.oom;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.oom.OomThresholds;
import dev.culprit.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The OOM sub-topology (docs/ARCHITECTURE.md, step 6): container samples and kernel OOM records of
 * a host, joined per (host, container) → {@code culprit.rootcause.oom}: JVM_HEAP_EXCEEDS_LIMIT,
 * JVM_NON_HEAP_GROWTH, PROCESS_MEMORY_GROWTH, HOST_MEMORY_EXHAUSTED and CPU_THROTTLED.
 *
 * <p>Both inputs are keyed by host (one partition count for all sample topics), so the join needs
 * no repartition: one processor holds every container of its hosts in a key-value store.
 */
public final class OomTopology {

  /** Per (host, container): recent samples, pending kills, throttling window. */
  public static final String STATE_STORE = "oom-containers";

  /** Per (host, container): the stream time at which a pending kill is reported anyway. */
  public static final String DEADLINE_STORE = "oom-deadlines";

  private OomTopology() {}

  /** Adds the sub-topology with the default thresholds. */
  public static KStream<String, RuleResult> addTo(
      StreamsBuilder builder, SampleStreams samples, ProcessorConfig config) {
    return addTo(builder, samples, config, OomThresholds.defaults());
  }

  /**
   * Adds the sub-topology.
   *
   * @return every cause found, per host, for fleet correlation
   */
  public static KStream<String, RuleResult> addTo(
      StreamsBuilder builder,
      SampleStreams samples,
      ProcessorConfig config,
      OomThresholds thresholds) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(STATE_STORE), Serdes.String(), OomStateSerde.get()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(DEADLINE_STORE), Serdes.String(), Serdes.Long()));

    KStream<String, SpecificRecord> containers =
        samples.stream(Topics.CONTAINER)
            .mapValues(v -> (SpecificRecord) v, Named.as("oom-containers-in"));
    KStream<String, SpecificRecord> kills =
        samples.stream(Topics.KERNEL).mapValues(v -> (SpecificRecord) v, Named.as("oom-kills-in"));
    long windowSizeMs = config.windowSize().toMillis();
    KStream<String, RuleResult> results =
        containers
            .merge(kills, Named.as("oom-inputs"))
            .process(
                () -> new OomProcessor(thresholds, windowSizeMs),
                Named.as("oom-join"),
                STATE_STORE,
                DEADLINE_STORE);

    results
        .flatMapValues(
            r -> {
              samples.metrics().emitted(r.causes());
              return r.causes();
            },
            Named.as("oom-causes"))
        .to(
            config.resultTopic(Topics.ROOTCAUSE_OOM),
            Produced.with(Topics.ROOTCAUSE_OOM.keySerde(), Topics.ROOTCAUSE_OOM.valueSerde())
                .withName("oom-sink"));
    results
        .flatMapValues(
            r -> {
              r.failures().forEach(f -> samples.metrics().deadLettered(f.getStage()));
              return r.failures();
            },
            Named.as("oom-failures"))
        .to(
            config.resultTopic(Topics.DEAD_LETTER),
            Produced.with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
                .withName("oom-deadletter-sink"));
    return results;
  }
}
