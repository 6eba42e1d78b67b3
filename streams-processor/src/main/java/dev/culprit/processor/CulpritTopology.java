package dev.culprit.processor;

import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.processor.fleet.FleetTopology;
import dev.culprit.processor.lifecycle.LifecycleTopology;
import dev.culprit.processor.oom.OomTopology;
import dev.culprit.processor.packetloss.PacketLossTopology;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.view.ViewTopology;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The whole processor topology, wired in this one place. Sub-topologies share the decoded sample
 * streams (one consumer node and one dead-letter path per sample topic) and add themselves:
 *
 * <ol>
 *   <li>{@link PacketLossTopology}: network samples → deltas → host windows → packet-loss rules
 *   <li>{@link OomTopology}: container samples and kernel OOM records joined per (host, container)
 *       → OOM and CPU-throttling causes
 *   <li>{@link FleetTopology}: causes counted across hosts per window → fleet incidents
 *   <li>{@link LifecycleTopology}: causes per (host, namespace, signature) over the host's windows
 *       → STARTED / ONGOING / ENDED transitions
 *   <li>{@link ViewTopology}: a bounded summary per host and the latest fleet incidents, read by
 *       the live page through interactive queries
 * </ol>
 *
 * <p>The builder enforces explicit names for every store and internal topic, so {@code build}
 * itself fails on a name that would change with the topology's shape.
 */
public final class CulpritTopology {

  private CulpritTopology() {}

  /** The topology decoding only samples whose schema is in this build's history. */
  public static Topology build(ProcessorConfig config) {
    return build(config, new ProcessorMetrics(), null);
  }

  /**
   * The topology, counting what it does in {@code metrics} (the same nodes and names as without:
   * the counts are taken inside existing nodes), and decoding samples of schemas this build does
   * not know (newer collectors) with {@code schemas} (a {@link
   * dev.culprit.schemas.KafkaSchemaStore} reading {@code culprit.schemas}); null for none. The
   * nodes and their names are the same either way.
   */
  public static Topology build(
      ProcessorConfig config, ProcessorMetrics metrics, SchemaStore schemas) {
    StreamsBuilder builder =
        new StreamsBuilder(
            new TopologyConfig(new StreamsConfig(CulpritProcessor.properties(config))));
    SampleStreams samples =
        new SampleStreams(
            builder,
            config.maxClockSkew(),
            config.clockReference(),
            metrics,
            schemas,
            config.replayScope());
    // The view copies what it needs of each sample before the delta step rewrites it in place; its
    // nodes have their own names, so taking them first renames nothing.
    KStream<String, Object> viewSamples = ViewTopology.tap(samples);
    KStream<String, RuleResult> packetLoss = PacketLossTopology.addTo(builder, samples, config);
    KStream<String, RuleResult> oom = OomTopology.addTo(builder, samples, config);
    FleetTopology.addTo(builder, packetLoss.merge(oom, Named.as("causes")), config, metrics);
    // Last, so every node above keeps its name.
    LifecycleTopology.addTo(builder, packetLoss, oom, config);
    // After the lifecycles, so theirs keep their names too.
    ViewTopology.addTo(builder, viewSamples, packetLoss, oom, config);
    return builder.build();
  }
}
