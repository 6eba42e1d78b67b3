package dev.culprit.processor.delta;

import static dev.culprit.processor.SampleFactory.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntityDeltasTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);

  @Test
  void eachInterfaceRestartsOnItsOwn() {
    InterfaceSample before =
        f.interfaces(
            "",
            SampleFactory.iface("eth0")
                .setIfindex(2)
                .setRxDropped(100L)
                .setRxPackets(1000L)
                .build(),
            SampleFactory.iface("veth1")
                .setIfindex(9)
                .setRxDropped(50L)
                .setRxPackets(500L)
                .build());
    InterfaceSample after =
        f.interfaces(
            "",
            SampleFactory.iface("eth0")
                .setIfindex(2)
                .setRxDropped(104L)
                .setRxPackets(1100L)
                .build(),
            // veth1 re-created: a new ifindex, so counters from zero are not compared.
            SampleFactory.iface("veth1")
                .setIfindex(12)
                .setRxDropped(60L)
                .setRxPackets(600L)
                .build(),
            SampleFactory.iface("veth2").setIfindex(13).setRxPackets(7L).build());
    SampleKinds.INTERFACE.toDeltas(before, after);
    InterfaceStats eth0 = after.getInterfaces().get(0);
    assertThat(eth0.getRxDropped()).isEqualTo(4L);
    assertThat(eth0.getRxPackets()).isEqualTo(100L);
    assertThat(eth0.getMtu()).as("gauges pass through").isEqualTo(1500);
    assertThat(after.getInterfaces().get(1).getRxDropped()).isNull();
    assertThat(after.getInterfaces().get(2).getRxPackets()).isNull();
  }

  @Test
  void oneDecreasingCounterRestartsTheWholeEntity() {
    InterfaceSample before =
        f.interfaces(
            "", SampleFactory.iface("eth0").setRxDropped(100L).setRxPackets(1000L).build());
    InterfaceSample after =
        f.interfaces("", SampleFactory.iface("eth0").setRxDropped(104L).setRxPackets(10L).build());
    SampleKinds.INTERFACE.toDeltas(before, after);
    assertThat(after.getInterfaces().get(0).getRxDropped()).isNull();
    assertThat(after.getInterfaces().get(0).getRxPackets()).isNull();
  }

  @Test
  void anAbsentCounterStaysAbsentNeverZero() {
    InterfaceSample before =
        f.interfaces("", SampleFactory.iface("eth0").setRxCrcErrors(null).build());
    InterfaceSample after =
        f.interfaces("", SampleFactory.iface("eth0").setRxCrcErrors(null).setRxPackets(5L).build());
    SampleKinds.INTERFACE.toDeltas(before, after);
    assertThat(after.getInterfaces().get(0).getRxCrcErrors()).isNull();
    assertThat(after.getInterfaces().get(0).getRxPackets()).isEqualTo(5L);
  }

  @Test
  void identicalRulesOfOneChainAreToldApartByOccurrenceAndMatchedAcrossPositions() {
    String spec = "-A INPUT -s 10.0.0.0/8 -j DROP";
    List<FirewallRule> before =
        new ArrayList<>(
            List.of(rule("INPUT", 1, "DROP", spec, 10, 0), rule("INPUT", 2, "DROP", spec, 20, 0)));
    // A rule inserted on top shifts both; the counters follow the rules, not the positions.
    List<FirewallRule> after =
        new ArrayList<>(
            List.of(
                rule("INPUT", 1, "ACCEPT", "-A INPUT -i lo -j ACCEPT", 3, 0),
                rule("INPUT", 2, "DROP", spec, 11, 0),
                rule("INPUT", 3, "DROP", spec, 25, 0)));
    var previous = f.filter("", before, List.of());
    var current = f.filter("", after, List.of());
    SampleKinds.FILTER.toDeltas(previous, current);
    assertThat(current.getRules())
        .extracting(FirewallRule::getPackets)
        .containsExactly(null, 1L, 5L);
  }

  @Test
  void aProtocolMapKeepsOnlyWhatTheRulesReadAndRestartsAsAWhole() {
    Map<String, Long> counters =
        new HashMap<>(Map.of("Tcp.RetransSegs", 10L, "Ip.InHdrErrors", 5L));
    var before = SampleKinds.PROTOCOL.trim(f.protocol("", counters));
    assertThat(before.getCounters()).containsOnlyKeys("Tcp.RetransSegs");
    var after = SampleKinds.PROTOCOL.trim(f.protocol("", Map.of("Tcp.RetransSegs", 14L)));
    SampleKinds.PROTOCOL.toDeltas(before, after);
    assertThat(after.getCounters()).containsEntry("Tcp.RetransSegs", 4L);

    var recreated =
        SampleKinds.PROTOCOL.trim(
            f.protocol("", Map.of("Tcp.RetransSegs", 1L, "TcpExt.ListenDrops", 900L)));
    SampleKinds.PROTOCOL.toDeltas(before, recreated);
    assertThat(recreated.getCounters()).isEmpty();
  }

  @Test
  void mergingTwoWindowSamplesSumsCountersKeepsLaterGaugesAndEveryEntity() {
    InterfaceSample earlier =
        f.interfaces(
            "",
            SampleFactory.iface("eth0").setMtu(1500).setRxDropped(3L).build(),
            SampleFactory.iface("gone0").setRxDropped(1L).build());
    InterfaceSample later =
        f.interfaces("", SampleFactory.iface("eth0").setMtu(9000).setRxDropped(4L).build());
    InterfaceSample merged = SampleKinds.INTERFACE.merge(earlier, later);
    assertThat(merged.getInterfaces())
        .extracting(InterfaceStats::getName, InterfaceStats::getMtu, InterfaceStats::getRxDropped)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("eth0", 9000, 7L),
            org.assertj.core.groups.Tuple.tuple("gone0", 1500, 1L));
  }
}
