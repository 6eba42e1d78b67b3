package dev.culprit.processor.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet windows alone, fed votes in the orders a live fleet gives them: late, repeated, from
 * more hosts than are listed, under hostile signatures, beyond the bound.
 */
class FleetWindowProcessorTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long W = 10_000;
  private static final String SIG = "FIREWALL_DROP filter INPUT -j DROP";

  private final ProcessorMetrics metrics = new ProcessorMetrics();
  private TopologyTestDriver driver;
  private TestInputTopic<String, RootCause> votes;
  private TestOutputTopic<String, FleetIncident> incidents;

  private void start(int minHosts, Duration acceptLate, long maxBytes, boolean wallClock) {
    Topology t = new Topology();
    t.addSource(
        "votes",
        new StringDeserializer(),
        Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().deserializer(),
        "votes");
    t.addProcessor(
        "fleet",
        () ->
            new FleetWindowProcessor(
                metrics,
                minHosts,
                Duration.ofMillis(W),
                Duration.ofMillis(W + 2_000),
                acceptLate,
                maxBytes,
                wallClock),
        "votes");
    t.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FleetTopology.WINDOW_STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingEnabled(),
        "fleet");
    t.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FleetTopology.VOTER_STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingEnabled(),
        "fleet");
    t.addSink(
        "incidents",
        "incidents",
        new StringSerializer(),
        Topics.FLEET_INCIDENTS.valueSerde().serializer(),
        "fleet");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "culprit-fleet-window-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "ttd:9092");
    // Cached, as in the topology.
    driver = new TopologyTestDriver(t, p, Instant.ofEpochMilli(T0));
    votes =
        driver.createInputTopic(
            "votes",
            new StringSerializer(),
            Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().serializer());
    incidents =
        driver.createOutputTopic(
            "incidents",
            new StringDeserializer(),
            Topics.FLEET_INCIDENTS.valueSerde().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void vote(String signature, String host, long windowStartMs) {
    votes.pipeInput(signature, cause(host, windowStartMs), windowStartMs);
  }

  /** The last record of each signature and window: what a consumer keeping the latest sees. */
  private Map<String, FleetIncident> latest() {
    Map<String, FleetIncident> last = new LinkedHashMap<>();
    for (FleetIncident i : incidents.readValuesToList()) {
      last.put(i.getSignature() + "@" + i.getWindowStartMs(), i);
    }
    return last;
  }

  @Test
  void aWindowGoesOutOnceItsTimeHasPassedWithEveryHostCountedOnce() {
    start(2, Duration.ofMinutes(5), 1 << 20, false);
    vote(SIG, "web-a", T0);
    vote(SIG, "web-b", T0);
    vote(SIG, "web-a", T0); // two OOM kills of one host in one window: one vote
    assertThat(incidents.isEmpty()).as("not before its end plus grace").isTrue();
    vote(SIG, "web-a", T0 + 3 * W); // stream time past its end, a window and the 2 s grace
    List<FleetIncident> out = incidents.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getHostCount()).isEqualTo(2);
    assertThat(out.get(0).getHosts()).containsExactly("web-a", "web-b");
    assertThat(out.get(0).getWindowStartMs()).isEqualTo(T0);
    assertThat(out.get(0).getWindowEndMs()).isEqualTo(T0 + W);
    assertThat(out.get(0).getSummary())
        .isEqualTo(SIG + " on 2 hosts in the same window (web-a, web-b).");
  }

  @Test
  void votesThatComeAfterTheWindowClosedUpdateItUntilTheyAreTooLate() {
    start(3, Duration.ofMinutes(2), 1 << 20, false);
    vote(SIG, "web-a", T0);
    vote(SIG, "web-b", T0);
    // The other hosts move on; web-c's window comes a minute late (its spool drained late, or
    // the instance judging it was behind): it still counts, and a third host makes it an incident.
    for (long t = T0 + W; t <= T0 + 6 * W; t += W) {
      vote("OTHER", "web-a", t);
    }
    assertThat(incidents.isEmpty()).as("two hosts: below the minimum of three").isTrue();
    vote(SIG, "web-c", T0);
    assertThat(incidents.isEmpty()).as("updates go out at the next window boundary").isTrue();
    vote("OTHER", "web-a", T0 + 7 * W);
    Map<String, FleetIncident> last = latest();
    assertThat(last.get(SIG + "@" + T0).getHostCount()).isEqualTo(3);
    assertThat(metrics.late()).doesNotContainKey(FleetWindowProcessor.LATE_KIND);

    // Two minutes and a window later, a vote for T0 is not counted any more.
    vote("OTHER", "web-a", T0 + 2 * W + Duration.ofMinutes(2).toMillis());
    incidents.readValuesToList();
    vote(SIG, "web-d", T0);
    vote("OTHER", "web-a", T0 + 20 * W);
    assertThat(latest()).doesNotContainKey(SIG + "@" + T0);
    assertThat(metrics.late()).containsEntry(FleetWindowProcessor.LATE_KIND, 1L);
  }

  @Test
  void anUpdateIsOneRecordForABurstOfLateVotes() {
    start(2, Duration.ofMinutes(5), 1 << 20, false);
    vote(SIG, "host-0", T0);
    vote(SIG, "host-1", T0);
    vote(SIG, "host-0", T0 + 3 * W);
    assertThat(incidents.readValuesToList()).hasSize(1);
    for (int i = 2; i < 50; i++) {
      vote(SIG, "host-" + i, T0);
    }
    vote(SIG, "host-0", T0 + 4 * W);
    List<FleetIncident> out = incidents.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getHostCount()).isEqualTo(50);
  }

  @Test
  void moreHostsThanAreListedAreAllCounted() {
    start(2, Duration.ofMinutes(5), 1 << 20, false);
    for (int i = 0; i < 250; i++) {
      vote(SIG, String.format("host-%03d", i), T0);
    }
    for (int i = 0; i < 250; i++) {
      vote(SIG, String.format("host-%03d", i), T0); // again: still 250
    }
    vote(SIG, "host-000", T0 + 3 * W);
    FleetIncident i = latest().get(SIG + "@" + T0);
    assertThat(i.getHostCount()).isEqualTo(250);
    assertThat(i.getHosts()).hasSize(FleetWindow.MAX_LISTED).startsWith("host-000", "host-001");
    assertThat(i.getSummary()).endsWith("host-099, …).");
  }

  @Test
  void signaturesAreKeptExactlyWhateverTheyHold() {
    start(2, Duration.ofMinutes(5), 1 << 20, false);
    // Rule text any local user writes: NULs, what looks like another key, newlines, non-ASCII.
    List<String> hostile =
        List.of(
            "A\u0000B",
            "A",
            "0000018bcfe56800" + "00000001" + "X",
            "FIREWALL_DROP filter INPUT -m comment --comment \"\n$(reboot)\" -j DROP",
            "ÄÖ 🚀");
    for (String sig : hostile) {
      vote(sig, "web-a", T0);
      vote(sig, "web-b", T0);
    }
    vote("A", "web-a", T0 + 3 * W);
    assertThat(latest().values().stream().map(FleetIncident::getSignature))
        .containsExactlyInAnyOrderElementsOf(hostile);
    assertThat(latest().values()).allSatisfy(i -> assertThat(i.getHostCount()).isEqualTo(2));
  }

  @Test
  void aFloodOfOneHostCausesIsForgottenFirstAndTheIncidentStays() {
    start(2, Duration.ofMinutes(5), 40_000, false);
    vote(SIG, "web-a", T0);
    vote(SIG, "web-b", T0);
    vote(SIG, "web-a", T0 + W); // a first scan learns the bytes held
    for (int i = 0; i < 2_000; i++) {
      // One local user's rules, each its own signature, on its one host.
      vote("FIREWALL_DROP filter INPUT -m comment --comment flood-" + i + " -j DROP", "web-x", T0);
    }
    assertThat(heldInStores()).isLessThanOrEqualTo(40_000);
    vote(SIG, "web-c", T0);
    vote(SIG, "web-a", T0 + 3 * W);
    List<FleetIncident> out = incidents.readValuesToList();
    assertThat(out).singleElement().satisfies(i -> assertThat(i.getHostCount()).isEqualTo(3));
  }

  @Test
  void anIncidentTheBoundForgotTakesNoMoreVotesRatherThanStartingAgainFromNothing() {
    start(2, Duration.ofMinutes(5), 40_000, false);
    for (int h = 0; h < 5; h++) {
      vote(SIG, "web-" + h, T0);
    }
    vote(SIG, "web-0", T0 + 3 * W);
    assertThat(incidents.readValuesToList())
        .singleElement()
        .satisfies(i -> assertThat(i.getHostCount()).isEqualTo(5));
    for (int i = 0; i < 500; i++) {
      String sig = "FIREWALL_DROP filter INPUT -m comment --comment flood-" + i + " -j DROP";
      vote(sig, "web-a", T0 + 3 * W);
      vote(sig, "web-b", T0 + 3 * W);
    }
    assertThat(heldInStores()).isLessThanOrEqualTo(40_000);
    // (Flood windows of the start evicted whole are late too.)
    long lateBefore = metrics.late().getOrDefault(FleetWindowProcessor.LATE_KIND, 0L);
    vote(SIG, "web-7", T0);
    vote(SIG, "web-0", T0);
    vote(SIG, "web-8", T0);
    vote(SIG, "web-0", T0 + 6 * W);
    assertThat(incidents.readValuesToList())
        .as("no record of the forgotten window counting fewer hosts")
        .noneMatch(i -> i.getSignature().equals(SIG) && i.getWindowStartMs() == T0);
    assertThat(metrics.late()).containsEntry(FleetWindowProcessor.LATE_KIND, lateBefore + 3);
  }

  /** What both stores hold, counted as the processor counts it. */
  private long heldInStores() {
    long held = 0;
    try (var all = driver.<String, byte[]>getKeyValueStore(FleetTopology.WINDOW_STORE).all()) {
      while (all.hasNext()) {
        var e = all.next();
        if (!e.key.equals(FleetWindowProcessor.EVICTED_KEY)) {
          held +=
              FleetWindowProcessor.held(e.key, e.value, FleetWindow.fromBytes(e.value).hostCount);
        }
      }
    }
    return held;
  }

  @Test
  void votesTricklingInAfterAWallClockCloseGoOutAtEachPunctuation() {
    start(2, Duration.ofMinutes(5), 1 << 20, true);
    vote(SIG, "web-a", T0);
    vote(SIG, "web-b", T0);
    driver.advanceWallClockTime(Duration.ofMillis(W));
    driver.advanceWallClockTime(Duration.ofMillis(4 * W));
    assertThat(incidents.readValuesToList()).hasSize(1);
    for (int h = 0; h < 3; h++) {
      vote(SIG, "late-" + h, T0); // stream time stands still: each is one vote in a punctuation
      driver.advanceWallClockTime(Duration.ofMillis(W));
      List<FleetIncident> out = incidents.readValuesToList();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getHostCount()).isEqualTo(3 + h);
    }
  }

  @Test
  void liveAWindowClosesByTheWallClockWhenNoVoteComes() {
    start(2, Duration.ofMinutes(5), 1 << 20, true);
    vote(SIG, "web-a", T0);
    vote(SIG, "web-b", T0);
    driver.advanceWallClockTime(Duration.ofMillis(W));
    assertThat(incidents.isEmpty()).as("a vote came in the last window of wall time").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(2 * W));
    assertThat(incidents.isEmpty()).as("its end plus grace plus a window has not passed").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(2 * W));
    List<FleetIncident> out = incidents.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getHostCount()).isEqualTo(2);
  }

  private static RootCause cause(String host, long windowStartMs) {
    return RootCause.newBuilder()
        .setEventId(host + "-" + windowStartMs)
        .setHost(host)
        .setNetns("")
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowStartMs + W)
        .setCause(Cause.FIREWALL_DROP)
        .setLayer(Layer.FIREWALL)
        .setLocation("filter/INPUT")
        .setContainer(null)
        .setConfidence(1.0)
        .setEvidence(Map.of())
        .setSymptoms(Map.of())
        .setSummary("drops")
        .setRemediation("")
        .build();
  }
}
