package dev.culprit.processor.fleet;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.processor.decode.ClockReference;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.Signatures;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Fleet correlation (docs/ARCHITECTURE.md, step 7): every host window's causes are re-keyed by
 * cause signature and counted across hosts per window; a signature on at least {@link
 * ProcessorConfig#fleetMinHosts()} hosts becomes a {@code culprit.incidents.fleet} record.
 *
 * <p>Each host window contributes a signature once (one host, one vote, however many namespaces
 * show it), so the count is a count of hosts. The causes of one window reach the re-keyed topic
 * from every input partition at its own pace, and from every host at its own (host windows close by
 * the host's progress), so a fleet window is first emitted one window beyond the host windows'
 * grace, and votes that come later, up to the host silence, still count: the window is emitted
 * again with the new count ({@link FleetWindowProcessor}).
 */
public final class FleetTopology {

  /** The repartition topic (by signature). */
  public static final String BY_SIGNATURE = "fleet-by-signature";

  /**
   * Per signature and window: the count, the hosts listed, what was emitted. (Not "fleet-windows",
   * the windowed store it replaced, whose changelog holds another format.)
   */
  public static final String WINDOW_STORE = "fleet-open-windows";

  /** Per signature, window and bucket of host hashes: which hosts voted. */
  public static final String VOTER_STORE = "fleet-voters";

  private FleetTopology() {}

  public static void addTo(
      StreamsBuilder builder,
      KStream<String, RuleResult> results,
      ProcessorConfig config,
      ProcessorMetrics metrics) {
    // In memory, changelogged, cached: a burst of votes reaches the changelog once per commit.
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(WINDOW_STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(VOTER_STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled());
    Duration closeAfter = config.windowSize().plus(config.grace());
    results
        .flatMap(
            (host, result) -> {
              Map<String, RootCause> bySignature = new LinkedHashMap<>();
              result.causes().forEach(c -> bySignature.putIfAbsent(Signatures.of(c), c));
              List<KeyValue<String, RootCause>> votes = new ArrayList<>();
              bySignature.forEach((signature, cause) -> votes.add(KeyValue.pair(signature, cause)));
              return votes;
            },
            Named.as("fleet-signatures"))
        .repartition(
            Repartitioned.with(
                    Topics.ROOTCAUSE_PACKET_LOSS.keySerde(),
                    Topics.ROOTCAUSE_PACKET_LOSS.valueSerde())
                .withName(BY_SIGNATURE))
        .process(
            () ->
                new FleetWindowProcessor(
                    metrics,
                    config.fleetMinHosts(),
                    config.windowSize(),
                    closeAfter,
                    // A host window is judged up to the host silence late, on a partition whose
                    // time a host ahead by up to the allowed skew has moved on.
                    closeAfter.plus(config.hostSilence()).plus(config.maxClockSkew()),
                    config.fleetWindowBytes(),
                    config.clockReference() == ClockReference.WALL_CLOCK),
            Named.as("fleet-windows"),
            WINDOW_STORE,
            VOTER_STORE)
        .to(
            config.resultTopic(Topics.FLEET_INCIDENTS),
            Produced.with(Topics.FLEET_INCIDENTS.keySerde(), Topics.FLEET_INCIDENTS.valueSerde())
                .withName("fleet-sink"));
  }
}
