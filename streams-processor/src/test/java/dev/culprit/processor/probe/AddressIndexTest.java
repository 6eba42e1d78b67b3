package dev.culprit.processor.probe;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.InterfaceSample;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The address index through the whole topology: which namespace an address maps to as interface
 * samples claim, drop and stop reporting it, read from the address-index store and from the join's
 * metrics. Time is sample time only.
 */
class AddressIndexTest {

  private static final long T0 = 1_700_000_001_000L;
  private static final String GROUP = "stream-" + AddressIndex.METRIC_SCOPE + "-metrics";
  private static final String ADDRESS = "10.88.0.7";

  private TopologyHarness harness;
  private KeyValueStore<String, AddressOwners> index;
  private final SampleFactory node7 = new SampleFactory("node-7", T0);
  private final SampleFactory node8 = new SampleFactory("node-8", T0);
  private final SampleFactory client = new SampleFactory("node-2", T0);

  @BeforeEach
  void start() {
    harness = new TopologyHarness();
    index = harness.driver().getKeyValueStore(AddressIndex.INDEX_STORE);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void mapsAnAddressToTheOneNamespaceThatHasIt() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16", "fd00::7/64"));
    probe(T0, ADDRESS);

    assertThat(owners(ADDRESS)).containsExactly("node-7/web-1@" + T0);
    assertThat(owners("fd00:0:0:0:0:0:0:7")).containsExactly("node-7/web-1@" + T0);
    assertThat(metric(AddressIndex.METRIC_JOINED)).isEqualTo(1);
  }

  @Test
  void releasesAnAddressAsSoonAsItsNamespaceNoLongerReportsIt() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16", "10.88.0.8/16"));
    node7.at(T0 + 10_000);
    harness.pipe(pod(node7, "web-1", "10.88.0.8/16"));
    probe(T0 + 10_000, ADDRESS);

    assertThat(index.get(ADDRESS)).as("released address").isNull();
    assertThat(owners("10.88.0.8")).containsExactly("node-7/web-1@" + T0);
    assertThat(metric(AddressIndex.METRIC_UNOWNED)).isEqualTo(1);
    assertThat(metric(AddressIndex.METRIC_JOINED)).isZero();
  }

  @Test
  void followsAnAddressThatMovesToAnotherHost() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    node7.at(T0 + 10_000);
    node8.at(T0 + 10_000);
    harness.pipe(pod(node7, "web-1"), pod(node8, "api-3", "10.88.0.7/16"));
    probe(T0 + 10_000, ADDRESS);

    assertThat(owners(ADDRESS)).containsExactly("node-8/api-3@" + (T0 + 10_000));
    assertThat(metric(AddressIndex.METRIC_JOINED)).isEqualTo(1);
  }

  @Test
  void joinsNothingWhenTwoLiveNamespacesHaveTheAddress() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"), pod(node8, "api-3", "10.88.0.7/16"));
    probe(T0, ADDRESS);

    assertThat(owners(ADDRESS)).hasSize(2);
    assertThat(metric(AddressIndex.METRIC_AMBIGUOUS)).isEqualTo(1);
    assertThat(metric(AddressIndex.METRIC_JOINED)).isZero();
  }

  @Test
  void keepsAnAddressEveryHostHasOneSmallAmbiguousRecord() {
    for (int i = 0; i < 3 * AddressIndex.MAX_OWNERS; i++) {
      SampleFactory host = new SampleFactory("docker-" + i, T0);
      harness.pipe(host.interfaces("", loopback().build(), bridge("172.17.0.1/16")));
    }
    probe(T0, "172.17.0.1");

    AddressOwners owners = index.get("172.17.0.1");
    assertThat(owners.getOwners()).hasSize(AddressIndex.MAX_OWNERS);
    assertThat(owners.getUnlistedSeenMs()).isEqualTo(T0);
    assertThat(metric(AddressIndex.METRIC_AMBIGUOUS)).isEqualTo(1);

    // The listed owners drop the address; the unlisted ones still have it: still ambiguous.
    for (int i = 0; i < AddressIndex.MAX_OWNERS; i++) {
      SampleFactory host = new SampleFactory(owners.getOwners().get(i).getHost(), T0 + 10_000);
      harness.pipe(host.interfaces("", loopback().build()));
    }
    probe(T0 + 10_000, "172.17.0.1");
    assertThat(metric(AddressIndex.METRIC_AMBIGUOUS)).isEqualTo(2);
    assertThat(metric(AddressIndex.METRIC_JOINED)).isZero();
  }

  @Test
  void neverIndexesLoopbackOrLinkLocalAddressesThatEveryNamespaceHas() {
    harness.pipe(
        pod(node7, "web-1", "10.88.0.7/16", "fe80::88:7/64", "169.254.1.1/16"),
        pod(node8, "api-3", "10.88.0.9/16", "fe80::88:7/64"));
    probe(T0, "127.0.0.1");
    probe(T0, "fe80::88:7");

    List<String> keys = new ArrayList<>();
    try (var all = index.all()) {
      all.forEachRemaining(kv -> keys.add(kv.key));
    }
    assertThat(keys).containsExactlyInAnyOrder(ADDRESS, "10.88.0.9");
    assertThat(metric(AddressIndex.METRIC_AMBIGUOUS) + metric(AddressIndex.METRIC_UNOWNED))
        .as("such probes are not looked up at all")
        .isZero();
  }

  @Test
  void keepsAnOwnerThatKeepsReportingPastTheTtl() {
    long end = T0 + 2 * AddressIndex.TTL_MS;
    for (long t = T0; t <= end; t += 10_000) {
      node7.at(t);
      harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    }
    probe(end, ADDRESS);

    assertThat(metric(AddressIndex.METRIC_JOINED)).isEqualTo(1);
    assertThat(index.get(ADDRESS).getOwners().get(0).getLastSeenMs())
        .as("a namespace that keeps reporting keeps claiming")
        .isGreaterThan(end - AddressIndex.REFRESH_MS - 10_000)
        .isLessThanOrEqualTo(end);
  }

  @Test
  void forgetsAnOwnerUnseenForTheTtl() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    probe(T0 + AddressIndex.TTL_MS, ADDRESS);
    assertThat(metric(AddressIndex.METRIC_JOINED)).as("just within the TTL").isEqualTo(1);

    probe(T0 + AddressIndex.TTL_MS + 1, ADDRESS);
    assertThat(metric(AddressIndex.METRIC_UNOWNED)).as("just past the TTL").isEqualTo(1);

    // The sweep runs on stream time: once time is well past, the entry itself is gone.
    long later = T0 + AddressIndex.EXPIRE_MS + 2 * AddressIndex.TTL_MS;
    harness.advanceTo(later);
    probe(later, "10.1.2.3");
    assertThat(index.get(ADDRESS)).isNull();
  }

  @Test
  void aClaimFromAHostAheadInTimeDoesNotEvictAnOwnerWhoseClaimsAreLate() {
    // node-8's partition is minutes ahead of node-7's (catch-up, or a skewed clock).
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    node8.at(T0 + AddressIndex.TTL_MS + 60_000);
    harness.pipe(pod(node8, "api-3", "10.88.0.7/16"));
    probe(T0 + AddressIndex.TTL_MS + 60_000, ADDRESS);
    probe(T0, ADDRESS);

    assertThat(owners(ADDRESS)).hasSize(2);
    assertThat(metric(AddressIndex.METRIC_JOINED))
        .as("a probe at node-8's time joins it; at node-7's time both are live")
        .isEqualTo(1);
    assertThat(metric(AddressIndex.METRIC_AMBIGUOUS)).isEqualTo(1);
  }

  @Test
  void aLateSampleBetweenTwoStoreWritesDoesNotReleaseAnAddressStillThere() {
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    node7.at(T0 + 10_000);
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16", "10.88.0.8/16"));
    node7.at(T0 + 20_000);
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16", "10.88.0.8/16"));
    // Taken before the last one but arriving after it (nothing was written for the last one).
    node7.at(T0 + 15_000);
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    probe(T0 + 20_000, "10.88.0.8");

    assertThat(owners("10.88.0.8")).containsExactly("node-7/web-1@" + (T0 + 10_000));
    assertThat(metric(AddressIndex.METRIC_JOINED)).isEqualTo(1);
  }

  @Test
  void ignoresAnInterfaceSampleOlderThanTheNamespacesLast() {
    node7.at(T0 + 10_000);
    harness.pipe(pod(node7, "web-1", "10.88.0.7/16"));
    node7.at(T0);
    harness.pipe(pod(node7, "web-1"));

    assertThat(owners(ADDRESS))
        .as("a late sample without the address does not release it")
        .containsExactly("node-7/web-1@" + (T0 + 10_000));
  }

  private void probe(long timeMs, String target) {
    client.at(timeMs);
    harness.pipe(client.probe("culprit-client", target, 8080, 10, 10, 0.1, 0.2, 0.3));
  }

  private static InterfaceSample pod(SampleFactory f, String netns, String... addresses) {
    return f.interfaces(
        netns,
        loopback().build(),
        iface("eth0").setAddresses(new ArrayList<>(List.of(addresses))).build());
  }

  private static dev.culprit.schemas.InterfaceStats bridge(String address) {
    return iface("docker0").setAddresses(new ArrayList<>(List.of(address))).build();
  }

  private List<String> owners(String address) {
    AddressOwners owners = index.get(address);
    return owners == null
        ? List.of()
        : owners.getOwners().stream()
            .map(o -> o.getHost() + "/" + o.getNetns() + "@" + o.getLastSeenMs())
            .toList();
  }

  private double metric(String operation) {
    return harness.metric(GROUP, operation + "-total");
  }
}
