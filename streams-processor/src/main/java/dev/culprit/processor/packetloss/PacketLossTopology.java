package dev.culprit.processor.packetloss;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.processor.delta.BaselineStore;
import dev.culprit.processor.delta.DeltaProcessor;
import dev.culprit.processor.delta.LateRecords;
import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.probe.AddressIndex;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.packetloss.Rules;
import dev.culprit.processor.window.HostWindowSerde;
import dev.culprit.processor.window.HostWindowState;
import dev.culprit.processor.window.HostWindows;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * The packet-loss sub-topology: the network samples of every kind in {@link SampleKinds} →
 * reset-aware deltas → one aggregate per host and tumbling event-time window → rules → {@code
 * culprit.rootcause.packet-loss}.
 *
 * <p>The aggregate is keyed by host, the key of every sample topic, so no sample is repartitioned,
 * and it holds every namespace of the host: rules judging one namespace see the others (a veth's
 * peer MTU lives in the host namespace). Each window is judged once, when stream time passes its
 * end plus grace (suppression), so a cause is never emitted, revised and emitted again.
 *
 * <p>Probe rounds join the aggregate of their target's host (see {@link AddressIndex}): they come
 * through two repartition topics, so live they reach the window a commit interval or two after the
 * samples. A round later than the grace is lost to its window: dropped as late (Streams'
 * dropped-records metric) or, since each cogrouped input keeps its own stream time, added to a
 * window already emitted, which the suppression then emits again and {@link RuleProcessor} ignores
 * (each window of a host is judged once).
 */
public final class PacketLossTopology {

  /** The windowed aggregate's store (and changelog). */
  public static final String WINDOW_STORE = "host-windows";

  /** The suppression buffer (and its changelog) holding windows until they close. */
  public static final String SUPPRESSION = "host-windows-until-closed";

  /** Per host: how long each drop has gone on, window after window (see DropStreaks). */
  public static final String STREAKS_STORE = "packet-loss-streaks";

  /**
   * Per host: the sources of its last judged window, and a window held back because it lacks some
   * of them (see RuleProcessor).
   */
  public static final String HELD_STORE = "packet-loss-held";

  private PacketLossTopology() {}

  /**
   * Adds the sub-topology to {@code builder}, reading the decoded samples from {@code samples}.
   *
   * @return the rules' results per host window, for fleet correlation
   */
  public static KStream<String, RuleResult> addTo(
      StreamsBuilder builder, SampleStreams samples, ProcessorConfig config) {
    builder.addStateStore(BaselineStore.builder());
    // In memory like the windows: one small record per host; the changelog restores it.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(STREAKS_STORE), Serdes.String(), Serdes.ByteArray()));
    // In memory too: a record per host and the few windows held back; the changelog restores it.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(HELD_STORE), Serdes.String(), Serdes.ByteArray()));

    List<SampleKind<?>> kinds = SampleKinds.network();
    CogroupedKStream<String, HostWindowState> cogrouped =
        cogroupFirst(samples, kinds.get(0), config);
    for (int i = 1; i < kinds.size(); i++) {
      if (i == SampleKinds.BEFORE_PROBES) {
        cogrouped = cogroupProbes(cogrouped, builder, samples);
      }
      cogrouped = cogroup(cogrouped, samples, kinds.get(i), config);
    }
    if (kinds.size() <= SampleKinds.BEFORE_PROBES) {
      cogrouped = cogroupProbes(cogrouped, builder, samples);
    }

    Duration retention = config.windowSize().plus(config.grace());
    KStream<String, RuleResult> results =
        cogrouped
            .windowedBy(TimeWindows.ofSizeAndGrace(config.windowSize(), config.grace()))
            .aggregate(
                HostWindows::empty,
                Named.as("host-window-aggregate"),
                Materialized.<String, HostWindowState>as(
                        // In memory: a window lives size + grace; the changelog restores it.
                        Stores.inMemoryWindowStore(
                            WINDOW_STORE, retention, config.windowSize(), false))
                    .withKeySerde(Serdes.String())
                    .withValueSerde(HostWindowSerde.get()))
            .suppress(
                // Bounded, under a heap that exits on OutOfMemoryError. When full, stop with an
                // error (CulpritProcessor says why) rather than emit early: an early window would
                // be
                // judged on part of its samples, and judged again when it closes.
                Suppressed.untilWindowCloses(
                        Suppressed.BufferConfig.maxBytes(config.suppressionBufferBytes())
                            .shutDownWhenFull())
                    .withName(SUPPRESSION))
            .toStream(Named.as("host-window-closed"))
            .process(
                () ->
                    new RuleProcessor(
                        Rules.packetLoss(config.thresholds()),
                        samples.metrics(),
                        config.windowSize(),
                        config.grace(),
                        config.baselineTtl()),
                Named.as("packet-loss-rules"),
                STREAKS_STORE,
                HELD_STORE,
                WINDOW_STORE);

    results
        .flatMapValues(
            r -> {
              samples.metrics().emitted(r.causes());
              return r.causes();
            },
            Named.as("packet-loss-causes"))
        .to(
            Topics.ROOTCAUSE_PACKET_LOSS.name(),
            Produced.with(
                    Topics.ROOTCAUSE_PACKET_LOSS.keySerde(),
                    Topics.ROOTCAUSE_PACKET_LOSS.valueSerde())
                .withName("packet-loss-sink"));
    results
        .flatMapValues(
            r -> {
              r.failures().forEach(f -> samples.metrics().deadLettered(f.getStage()));
              return r.failures();
            },
            Named.as("packet-loss-rule-failures"))
        .to(
            Topics.DEAD_LETTER.name(),
            Produced.with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
                .withName("packet-loss-rules-deadletter-sink"));
    return results;
  }

  private static <S extends SpecificRecord> CogroupedKStream<String, HostWindowState> cogroupFirst(
      SampleStreams samples, SampleKind<S> kind, ProcessorConfig config) {
    return deltas(samples, kind, config).cogroup(aggregator(kind));
  }

  private static <S extends SpecificRecord> CogroupedKStream<String, HostWindowState> cogroup(
      CogroupedKStream<String, HostWindowState> cogrouped,
      SampleStreams samples,
      SampleKind<S> kind,
      ProcessorConfig config) {
    return cogrouped.cogroup(deltas(samples, kind, config), aggregator(kind));
  }

  // Probes join where they joined when they were added (cogroup slot BEFORE_PROBES), so the kinds
  // before them keep their node names and kinds registered later come after them.
  private static CogroupedKStream<String, HostWindowState> cogroupProbes(
      CogroupedKStream<String, HostWindowState> cogrouped,
      StreamsBuilder builder,
      SampleStreams samples) {
    return cogrouped.cogroup(
        AddressIndex.probesByTargetHost(builder, samples),
        (host, round, aggregate) -> HostWindows.addProbe(aggregate, round));
  }

  private static <S extends SpecificRecord> KGroupedStream<String, SampleDelta<S>> deltas(
      SampleStreams samples, SampleKind<S> kind, ProcessorConfig config) {
    return samples.stream(kind.topic())
        .processValues(
            () ->
                new DeltaProcessor<>(
                    kind,
                    config.maxCounterGap(),
                    config.baselineTtl(),
                    new LateRecords(
                        config.windowSize(), config.grace(), samples.metrics().late(kind.name()))),
            Named.as(kind.name() + "-deltas"),
            BaselineStore.NAME)
        // Same key (host) as the source topic: grouping needs no repartition, so no serde.
        .groupByKey(Grouped.as(kind.name() + "-by-host"));
  }

  private static <S extends SpecificRecord>
      Aggregator<String, SampleDelta<S>, HostWindowState> aggregator(SampleKind<S> kind) {
    return (host, delta, aggregate) -> HostWindows.add(aggregate, kind, delta);
  }
}
