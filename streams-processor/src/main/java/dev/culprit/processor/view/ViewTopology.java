package dev.culprit.processor.view;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The live view: every host's samples, collector health and rule results folded into a bounded
 * {@link HostView} per host ({@link #HOSTS}), and the latest window of each fleet incident read
 * back from {@code culprit.incidents.fleet} ({@link #INCIDENTS}). Both stores are in memory and
 * restored from their changelogs, like the others; interactive queries read them.
 *
 * <p>Nothing here writes to a topic: it is read-only for the page and the API.
 */
public final class ViewTopology {

  /** Per host: its {@link HostView}. */
  public static final String HOSTS = "view-hosts";

  /** Per fleet-incident signature: its latest window. */
  public static final String INCIDENTS = "view-incidents";

  /** The stored form of a {@link HostView}. */
  public static final Serde<HostView> HOST_VIEW_SERDE =
      Serdes.serdeFrom(
          (topic, v) -> v == null ? null : v.toBytes(),
          (topic, b) -> b == null ? null : HostView.fromBytes(b));

  private ViewTopology() {}

  /**
   * The view's copy of every sample it reads, taken as each is decoded: call before any other
   * sub-topology consumes {@code samples}, because the delta step rewrites decoded samples in place
   * (cumulative counters become increases) and Kafka Streams hands one object to every child of a
   * node, in the order they were added.
   */
  public static KStream<String, Object> tap(SampleStreams samples) {
    KStream<String, Object> in =
        samples.stream(Topics.INTERFACE)
            .<Object>mapValues(ViewSample::of, Named.as("view-interface"));
    in =
        in.merge(
            samples.stream(Topics.PROTOCOL)
                .<Object>mapValues(ViewSample::of, Named.as("view-protocol")),
            Named.as("view-merge-protocol"));
    in =
        in.merge(
            samples.stream(Topics.QDISC).<Object>mapValues(ViewSample::of, Named.as("view-qdisc")),
            Named.as("view-merge-qdisc"));
    in =
        in.merge(
            samples.stream(Topics.FILTER)
                .<Object>mapValues(ViewSample::of, Named.as("view-filter")),
            Named.as("view-merge-filter"));
    in =
        in.merge(
            samples.stream(Topics.PROBE).<Object>mapValues(ViewSample::of, Named.as("view-probe")),
            Named.as("view-merge-probe"));
    in =
        in.merge(
            samples.stream(Topics.CONTAINER)
                .<Object>mapValues(ViewSample::of, Named.as("view-container")),
            Named.as("view-merge-container"));
    return in.merge(
        samples.stream(Topics.COLLECTOR)
            .<Object>mapValues(ViewSample::of, Named.as("view-collector")),
        Named.as("view-merge-collector"));
  }

  /**
   * Adds the view: {@code tapped} (from {@link #tap}) and the rules' results folded per host, and
   * the fleet incidents read back. Call last.
   */
  public static void addTo(
      StreamsBuilder builder,
      KStream<String, Object> tapped,
      KStream<String, RuleResult> packetLoss,
      KStream<String, RuleResult> oom,
      ProcessorConfig config) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(HOSTS), Serdes.String(), HOST_VIEW_SERDE));
    tapped
        .merge(widen(packetLoss, "view-packet-loss"), Named.as("view-merge-packet-loss"))
        .merge(widen(oom, "view-oom"), Named.as("view-merge-oom"))
        .process(
            () -> new ViewProcessor(HOSTS, config.windowSize(), config.baselineTtl()),
            Named.as("view-hosts-update"),
            HOSTS);

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(INCIDENTS),
            Serdes.String(),
            Topics.FLEET_INCIDENTS.valueSerde()));
    builder.stream(
            config.resultTopic(Topics.FLEET_INCIDENTS),
            Consumed.with(Topics.FLEET_INCIDENTS.keySerde(), Topics.FLEET_INCIDENTS.valueSerde())
                .withName("view-incidents-source"))
        .process(
            () -> new IncidentViewProcessor(INCIDENTS, config.baselineTtl()),
            Named.as("view-incidents-update"),
            INCIDENTS);
  }

  private static <V> KStream<String, Object> widen(KStream<String, V> s, String name) {
    return s.mapValues(v -> (Object) v, Named.as(name));
  }

  /** For tests: the latest window of each incident signature, forgotten after the TTL. */
  static FleetIncident newer(FleetIncident a, FleetIncident b) {
    return a == null || b.getWindowStartMs() >= a.getWindowStartMs() ? b : a;
  }
}
