package dev.culprit.processor.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The view store as the topology fills it, through Kafka Streams' test driver. */
class ViewTopologyTest {

  static final long T0 = 1_700_000_040_000L; // a minute edge
  static final String HOSTILE = "<script>alert(1)</script>\"'&";

  @Test
  void foldsFirewallDropsIntoMinutesAndKeepsTheLatestDiagnosisPerNamespace() {
    try (TopologyHarness h = new TopologyHarness()) {
      SeedHost seed = new SeedHost(T0);
      SeedHost.State s = SeedHost.quiet();
      for (int c = 0; c < 12; c++) {
        if (c >= 2) {
          s = grow(s, SeedHost.seed());
        }
        h.pipe(seed.cycle(T0 + 1_000 + c * 10_000L, s).toArray(new SpecificRecord[0]));
      }
      h.advanceTo(T0 + 200_000);
      HostView v = store(h).get(SeedHost.HOST);

      // Ten cycles of the seed's 6 + 6 DROP-rule packets; the first sample is the baseline.
      assertThat(sum(v.series(ViewCounter.FIREWALL_DROPS, v.lastSeenMs()))).isEqualTo(120);
      assertThat(sum(v.series(ViewCounter.QDISC_DROPS, v.lastSeenMs()))).isEqualTo(40);
      assertThat(v.namespaces()).containsKeys("", SeedHost.NGINX);
      HostView.Namespace nginx = v.namespaces().get(SeedHost.NGINX);
      assertThat(nginx.windowStartMs()).isEqualTo(T0 + 110_000);
      assertThat(nginx.causes())
          .extracting(HostView.Brief::cause)
          .contains("FIREWALL_DROP", "QDISC_LOSS");
      // Consecutive windows of a lasting cause are one span: from the first drops to the last.
      assertThat(v.causeWindows()).extracting(HostView.Brief::windowStartMs).isSorted();
      assertThat(v.causeWindows())
          .filteredOn(w -> w.cause().equals("QDISC_LOSS"))
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.windowStartMs()).isEqualTo(T0 + 20_000);
                assertThat(w.windowEndMs()).isEqualTo(T0 + 120_000);
              });
      // Minutes without samples are gaps, sampled quiet minutes are zeros.
      HostView.Series rx = v.series(ViewCounter.RX_DROPPED, v.lastSeenMs());
      assertThat(rx.values()[HostView.MINUTES - 1]).isNotNaN();
      assertThat(rx.values()[0]).isNaN();
      // The stored form reads back to the same stored form.
      assertThat(HostView.fromBytes(v.toBytes()).toBytes()).isEqualTo(v.toBytes());
    }
  }

  @Test
  void staysSmallWhateverAHostSends() {
    try (TopologyHarness h = new TopologyHarness()) {
      SampleFactory f = new SampleFactory("hostile", T0);
      String huge = HOSTILE.repeat(40); // 1,160 characters
      for (int i = 0; i < 300; i++) {
        f.at(T0 + i * 1_000L);
        h.pipe(f.interfaces(huge + i, SampleFactory.iface("eth0").setRxDropped((long) i).build()));
      }
      List<ContainerStats> many = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        many.add(
            ContainerStats.newBuilder()
                .setId(huge + i)
                .setName(huge)
                .setRuntime("docker")
                .setPodName(huge)
                .setPodNamespace(HOSTILE)
                .build());
      }
      h.pipe(
          ContainerSample.newBuilder()
              .setHost("hostile")
              .setNetns("")
              .setSampleTimeMs(T0 + 301_000)
              .setCollectorId("c")
              .setSeq(1)
              .setContainers(many)
              .build());
      HostView v = store(h).get("hostile");
      assertThat(v.namespaces()).hasSize(HostView.MAX_NAMESPACES);
      assertThat(v.containers()).hasSize(HostView.MAX_CONTAINERS);
      v.namespaces().keySet().forEach(n -> assertThat(n).hasSizeLessThanOrEqualTo(160));
      v.containers().values().forEach(c -> assertThat(c.pod()).hasSizeLessThanOrEqualTo(160));
      // The newest namespaces are kept, the oldest made room.
      assertThat(v.namespaces()).containsKey(HostView.name(huge + 299));
      assertThat(v.namespaces()).doesNotContainKey(HostView.name(huge + 0));
      assertThat(v.toBytes().length).isLessThan(64 * 1024);
    }
  }

  @Test
  void keepsContainersWithTheirPodsAndForgetsThoseAFullListingLacks() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(
          containers(
              T0,
              null,
              container("a1", "web", "shop", "web-7d9f"),
              container("b2", "db", null, null)));
      HostView v = store(h).get("node-1");
      assertThat(v.containers().get("a1").pod()).isEqualTo("shop/web-7d9f");
      assertThat(v.containers().get("b2").pod()).isEmpty();
      // An event names one container; a periodic listing names them all.
      h.pipe(containers(T0 + 1_000, "oom", container("a1", "web", "shop", "web-7d9f")));
      assertThat(store(h).get("node-1").containers()).containsOnlyKeys("a1", "b2");
      h.pipe(containers(T0 + 2_000, null, container("a1", "web", "shop", "web-7d9f")));
      assertThat(store(h).get("node-1").containers()).containsOnlyKeys("a1");
    }
  }

  private static ContainerStats container(String id, String name, String podNs, String pod) {
    return ContainerStats.newBuilder()
        .setId(id)
        .setName(name)
        .setRuntime("docker")
        .setPodNamespace(podNs)
        .setPodName(pod)
        .build();
  }

  private static ContainerSample containers(long t, String trigger, ContainerStats... list) {
    return ContainerSample.newBuilder()
        .setHost("node-1")
        .setNetns("")
        .setSampleTimeMs(t)
        .setCollectorId("c")
        .setSeq(t)
        .setTrigger(trigger)
        .setContainers(List.of(list))
        .build();
  }

  @Test
  void forgetsHostsSilentPastTheBaselineTtl() {
    try (TopologyHarness h = new TopologyHarness()) {
      SampleFactory old = new SampleFactory("old", T0);
      h.pipe(old.protocol("", SeedHost.tcp(0, 0, 0, 0, 0)));
      h.advanceTo(T0 + Duration.ofMinutes(30).toMillis());
      h.driver().advanceWallClockTime(Duration.ofMinutes(1));
      assertThat(store(h).get("old")).isNotNull();
      h.advanceTo(T0 + Duration.ofMinutes(61).toMillis());
      h.driver().advanceWallClockTime(Duration.ofMinutes(1));
      assertThat(store(h).get("old")).isNull();
      assertThat(store(h).get(TopologyHarness.CLOCK_HOST)).isNotNull();
    }
  }

  private static KeyValueStore<String, HostView> store(TopologyHarness h) {
    return h.driver().getKeyValueStore(ViewTopology.HOSTS);
  }

  private static long sum(HostView.Series s) {
    long n = 0;
    for (double v : s.values()) {
      n += Double.isNaN(v) ? 0 : (long) v;
    }
    return n;
  }

  static SeedHost.State grow(SeedHost.State s, SeedHost.State d) {
    Map<String, Long> tcp = new LinkedHashMap<>(s.tcp());
    d.tcp().forEach((k, v) -> tcp.merge(k, v, Long::sum));
    return new SeedHost.State(
        100,
        s.containerRxPackets() + d.containerRxPackets(),
        s.containerRxDropped() + d.containerRxDropped(),
        true,
        s.netemSent() + d.netemSent(),
        s.netemBytes() + d.netemBytes(),
        s.netemDrops() + d.netemDrops(),
        true,
        s.inputDrops() + d.inputDrops(),
        s.outputDrops() + d.outputDrops(),
        s.inputAccepted() + d.inputAccepted(),
        s.outputAccepted() + d.outputAccepted(),
        tcp);
  }
}
