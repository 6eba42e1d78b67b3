package dev.culprit.processor.probe;

import dev.culprit.processor.decode.SampleStreams;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.Topics;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Topology step 5 (docs/ARCHITECTURE.md), first half: probe rounds re-keyed by their target address
 * and joined to the namespace that owns it, then re-keyed by that namespace's host for its host
 * window.
 *
 * <pre>
 * interface samples ─ interface-address-claims ─┐
 *                       (address-claims store)   ├ address-events ─▶ address-events-by-address
 * probe samples ──── probe-target-address ───────┘        (repartition, keyed by address)
 *   ─▶ address-index-join (address-index store) ─▶ probes-by-target-host (repartition, keyed by
 *      the target's host) ─▶ the host windows
 * </pre>
 *
 * <p>Claims and probes share one repartition topic, so they are co-partitioned by construction and
 * reach the index in the order the sample topics were read (event time). Stores are in memory and
 * changelogged: one small record per namespace and per address.
 */
public final class AddressIndex {

  /** Per (host, netns): the addresses it reported last (to release the ones that go). */
  public static final String CLAIMS_STORE = "address-claims";

  /** Per address: the namespaces that have it. */
  public static final String INDEX_STORE = "address-index";

  /** Claims and probes keyed by address; the topic is {@code <app>-<name>-repartition}. */
  public static final String BY_ADDRESS = "address-events-by-address";

  /**
   * Joined probe rounds keyed by the target's host; the topic is {@code <app>-<name>-repartition}.
   */
  public static final String BY_TARGET_HOST = "probes-by-target-host";

  /** How often an address still present is claimed again, ms of sample time. */
  public static final long REFRESH_MS = 60_000;

  /**
   * How long an owner stays in the index without a claim, ms of sample time: three refreshes, so a
   * late or lost sample does not unmap a live namespace, while a deleted one unmaps within minutes.
   */
  public static final long TTL_MS = 3 * REFRESH_MS;

  /**
   * How long an owner unseen stays in the index, ms: well past {@link #TTL_MS}, and judged only by
   * the task's stream time, never by another host's claim. Hosts' samples reach the index through
   * different partitions, some behind others (catch-up after an outage, a skewed clock): a claim
   * from a host ahead in time must not evict an owner whose claims are merely late, which would
   * turn an ambiguous address into a wrongly unique one.
   */
  public static final long EXPIRE_MS = 5 * TTL_MS;

  /** Owners listed per address; more only mark it ambiguous (two already would). */
  public static final int MAX_OWNERS = 4;

  /** Metric scope: the metrics' group is {@code stream-culprit-probe-metrics}. */
  public static final String METRIC_SCOPE = "culprit-probe";

  /** Probe rounds joined ({@code probe-joined-total}, {@code -rate}). */
  public static final String METRIC_JOINED = "probe-joined";

  /** Probe rounds to an address no live namespace has ({@code probe-unowned-total}). */
  public static final String METRIC_UNOWNED = "probe-unowned";

  /** Probe rounds to an address several live namespaces have ({@code probe-ambiguous-total}). */
  public static final String METRIC_AMBIGUOUS = "probe-ambiguous";

  private AddressIndex() {}

  /**
   * Adds the address index and the probe join to {@code builder}.
   *
   * @return the joined probe rounds, keyed by the target's host and repartitioned by it, so they
   *     reach the task that holds that host's windows
   */
  public static KStream<String, ProbeObservation> probesByTargetHost(
      StreamsBuilder builder, SampleStreams samples) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(CLAIMS_STORE),
            Serdes.String(),
            ProbeSerdes.NAMESPACE_ADDRESSES));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(INDEX_STORE),
            Serdes.String(),
            ProbeSerdes.ADDRESS_OWNERS));

    KStream<String, AddressEvent> claims =
        samples.stream(Topics.INTERFACE)
            .process(
                AddressClaimProcessor::new, Named.as("interface-address-claims"), CLAIMS_STORE);
    KStream<String, AddressEvent> probes =
        samples.stream(Topics.PROBE)
            .flatMap((host, probe) -> byTargetAddress(probe), Named.as("probe-target-address"));
    return claims
        .merge(probes, Named.as("address-events"))
        .repartition(
            Repartitioned.with(Serdes.String(), ProbeSerdes.ADDRESS_EVENT).withName(BY_ADDRESS))
        .process(AddressIndexProcessor::new, Named.as("address-index-join"), INDEX_STORE)
        // Same partition count as the sample topics (derived from them), so by host like them.
        .repartition(
            Repartitioned.with(Serdes.String(), ProbeSerdes.OBSERVATION).withName(BY_TARGET_HOST));
  }

  /** A probe round keyed by its canonical target address; none for rounds that cannot join. */
  static List<KeyValue<String, AddressEvent>> byTargetAddress(ProbeSample probe) {
    if (probe.getSent() <= 0) {
      return List.of(); // Nothing was probed.
    }
    return Addresses.canonical(probe.getTargetAddress())
        .map(
            address ->
                List.of(
                    KeyValue.pair(
                        address,
                        AddressEvent.newBuilder()
                            .setKind(AddressEventKind.PROBE)
                            .setHost(probe.getHost())
                            .setNetns(probe.getNetns())
                            .setTimeMs(probe.getSampleTimeMs())
                            .setProbe(ByteBuffer.wrap(Topics.PROBE.valueSerde().encode(probe)))
                            .build())))
        .orElse(List.of());
  }
}
