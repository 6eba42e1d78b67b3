package dev.culprit.processor.packetloss;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.ClockReference;
import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.processor.delta.BaselineStore;
import dev.culprit.processor.delta.DeltaProcessor;
import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.probe.AddressIndex;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.packetloss.Rules;
import dev.culprit.processor.window.HostWindowSerde;
import dev.culprit.schemas.Topics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The packet-loss sub-topology: the network samples of every kind in {@link SampleKinds} →
 * reset-aware deltas → one tumbling event-time window per host, closed by that host's own progress
 * → rules → {@code culprit.rootcause.packet-loss} (see {@link HostWindowProcessor}).
 *
 * <p>Every input is keyed by host, the key of every sample topic, so no sample is repartitioned; a
 * window holds every namespace of the host, so rules judging one namespace see the others (a veth's
 * peer MTU lives in the host namespace). Each window is judged once, when each of the host's topics
 * has passed its end plus grace, so a cause is never emitted, revised and emitted again.
 *
 * <p>Probe rounds join the window of their target's host (see {@link AddressIndex}): they come
 * through two repartition topics, so live they reach the window a commit interval or two after the
 * samples; the grace is for them. A round whose window was judged already is counted as late.
 */
public final class PacketLossTopology {

  /** Per host and window start: the open window's aggregate (and its changelog). */
  public static final String WINDOW_STORE = "host-open-windows";

  /** Per host: how far each of its sample topics has come, and its open windows. */
  public static final String PROGRESS_STORE = "host-progress";

  /**
   * Per host: how long each drop has gone on, window after window (see DropStreaks), and the last
   * window judged.
   */
  public static final String STREAKS_STORE = "packet-loss-streaks";

  /**
   * Record header on the results of a host window judged live long after its end (a host whose
   * spool drained after an outage, a processor working through a backlog): how long after the
   * window's end plus grace, wall clock, milliseconds, as decimal ASCII. The event itself is what a
   * replay gives; a replay sets no header.
   */
  public static final String JUDGED_LATE_HEADER = "culprit-judged-late-ms";

  private PacketLossTopology() {}

  /**
   * Adds the sub-topology to {@code builder}, reading the decoded samples from {@code samples}.
   *
   * @return the rules' results per host window, for fleet correlation
   */
  public static KStream<String, RuleResult> addTo(
      StreamsBuilder builder, SampleStreams samples, ProcessorConfig config) {
    builder.addStateStore(BaselineStore.builder());
    // In memory, changelogged: a host's open windows (one or two), its progress and its streaks.
    // Cached, so the dozen updates a window gets per commit reach the changelog once.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(WINDOW_STORE), Serdes.String(), HostWindowSerde.get())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(PROGRESS_STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(STREAKS_STORE), Serdes.String(), Serdes.ByteArray()));

    List<SampleKind<?>> kinds = SampleKinds.network();
    KStream<String, WindowInput> inputs = inputs(samples, kinds.get(0), config);
    for (int i = 1; i < kinds.size(); i++) {
      inputs =
          inputs.merge(
              inputs(samples, kinds.get(i), config), Named.as(kinds.get(i).name() + "-to-windows"));
    }
    KStream<String, WindowInput> probes =
        AddressIndex.probesByTargetHost(builder, samples)
            .mapValues(WindowInput::probe, Named.as("probe-window-input"));
    KStream<String, RuleResult> results =
        inputs
            .merge(probes, Named.as("host-window-inputs"))
            .process(
                () ->
                    new HostWindowProcessor(
                        Rules.packetLoss(config.thresholds()),
                        samples.metrics(),
                        config.windowSize(),
                        config.grace(),
                        config.hostSilence(),
                        config.maxClockSkew(),
                        config.clockReference() == ClockReference.WALL_CLOCK,
                        config.baselineTtl()),
                Named.as("packet-loss-rules"),
                WINDOW_STORE,
                PROGRESS_STORE,
                STREAKS_STORE);

    results
        .flatMapValues(
            r -> {
              samples.metrics().emitted(r.causes());
              return r.causes();
            },
            Named.as("packet-loss-causes"))
        .to(
            config.resultTopic(Topics.ROOTCAUSE_PACKET_LOSS),
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
            config.resultTopic(Topics.DEAD_LETTER),
            Produced.with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
                .withName("packet-loss-rules-deadletter-sink"));
    return results;
  }

  private static <S extends SpecificRecord> KStream<String, WindowInput> inputs(
      SampleStreams samples, SampleKind<S> kind, ProcessorConfig config) {
    return deltas(samples, kind, config)
        .mapValues(d -> WindowInput.sample(kind, d), Named.as(kind.name() + "-window-input"));
  }

  private static <S extends SpecificRecord> KStream<String, SampleDelta<S>> deltas(
      SampleStreams samples, SampleKind<S> kind, ProcessorConfig config) {
    return samples.stream(kind.topic())
        .processValues(
            () -> new DeltaProcessor<>(kind, config.maxCounterGap(), config.baselineTtl()),
            Named.as(kind.name() + "-deltas"),
            BaselineStore.NAME);
  }
}
