package dev.culprit.processor.scenarios;

import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;

import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.InterfaceStats;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/** MTU_MISMATCH, NIC_RING_OVERFLOW and NIC_RX_ERRORS: each fires once and has near misses. */
final class LinkScenarios {

  private static final UnaryOperator<InterfaceStats.Builder> SAME = UnaryOperator.identity();

  private LinkScenarios() {}

  static List<Scenario> all() {
    UnaryOperator<InterfaceStats.Builder> unlinked =
        e -> e.setMtu(1000).setIfindex(null).setPeerIfindex(null);
    return List.of(
        changing(
            POD_ETH0,
            "mtu-small-without-drops-is-quiet",
            "a pod eth0 with MTU 1400 under a 1500 veth peer but no drops: a choice, not a fault",
            e -> e.setMtu(1400),
            e -> e.setMtu(1400).setRxPackets(5000L)),
        webHost(
            "mtu-rx-drops-with-equal-mtus-is-quiet",
            "rx_dropped rising on eth0 whose MTU equals its peers' (unknown protocols, IPv6 off)"
                + " is not an MTU mismatch",
            (h, w) -> h.pipe(w.hostInterfaces(SAME, SAME, SAME), w.podInterfaces(SAME, SAME)),
            (h, w) ->
                h.pipe(
                    w.hostInterfaces(n -> n.setRxDropped(50L).setRxPackets(90_000L), SAME, SAME),
                    w.podInterfaces(SAME, e -> e.setRxDropped(7L).setRxPackets(4000L)))),
        changing(
            POD_ETH0,
            "mtu-veth-rx-drops-its-larger-peer-did-not-cause-are-unexplained",
            "rx_dropped rising on a pod eth0 with MTU 1000 under a 1500 veth peer whose tx_dropped"
                + " stays flat: the peer refused no frame for its size, so the drops have another"
                + " reason (unknown protocols, IPv6 off) and the MTU is not named; 80 of 3080"
                + " received is real loss, so UNEXPLAINED_DROPS on eth0",
            e -> e.setMtu(1000),
            e -> e.setMtu(1000).setRxDropped(80L).setRxPackets(3000L)),
        changing(
            NIC,
            "nic-rx-errors-without-crc-or-alignment-errors-are-quiet",
            "rx_errors rising on the NIC while rx_crc_errors and the frame column stay flat: the"
                + " driver's total counts errors of every kind, none of them a corrupted frame",
            SAME,
            n -> n.setRxErrors(40L).setRxPackets(80_000L)),
        changing(
            NIC,
            "nic-rx-errors-of-a-real-share-without-crc-or-alignment-errors-are-unexplained",
            "rx_errors rising by 4000 of 84000 frames on the NIC while rx_crc_errors, the frame"
                + " column, fifo and missed stay flat: real loss no rule explains, so"
                + " UNEXPLAINED_DROPS, never NIC_RX_ERRORS",
            SAME,
            n -> n.setRxErrors(4_000L).setRxPackets(80_000L)),
        webHost(
            "mtu-loopback-is-never-a-candidate",
            "lo has the largest MTU and may drop; it is never an MTU mismatch",
            (h, w) -> h.pipe(w.podInterfaces(SAME, SAME)),
            (h, w) -> h.pipe(w.podInterfaces(l -> l.setMtu(1400).setRxDropped(30L), SAME))),
        webHost(
            "mtu-bridge-neighbour-larger",
            "without veth peer information (no ifindex/iflink reported), the bridge of the pod's"
                + " subnet with a larger MTU is the evidence",
            (h, w) -> h.pipe(w.hostInterfaces(SAME, SAME, SAME), w.podInterfaces(SAME, unlinked)),
            (h, w) ->
                h.pipe(
                    // The host-side veth refused the 80 frames too long for the pod's MTU.
                    w.hostInterfaces(SAME, SAME, v -> v.setTxDropped(80L)),
                    w.podInterfaces(
                        SAME, e -> unlinked.apply(e).setRxDropped(80L).setRxPackets(300L)))),
        changing(
            NIC,
            "mtu-length-errors-on-a-nic",
            "a NIC counting length errors receives frames above its MTU even with no peer in view;"
                + " the errors are not blamed on the cable",
            n -> n.setMtu(1400),
            n ->
                n.setMtu(1400)
                    .setRxLengthErrors(25L)
                    .setRxErrors(25L)
                    .setRxFrame(25L)
                    .setRxPackets(80_000L)),
        changing(
            NIC,
            "nic-ring-overflow",
            "rx_missed_errors and RX-OVR rising on the NIC: the receive ring overflows",
            SAME,
            n ->
                n.setRxMissedErrors(120L)
                    .setRxFifo(118L)
                    .setRxDropped(120L)
                    .setRxErrors(120L)
                    .setRxPackets(1_200_000L)),
        changing(
            NIC,
            "nic-ring-flat-is-quiet",
            "ring counters that are non-zero but flat over the window say nothing about now",
            n -> n.setRxMissedErrors(5000L).setRxFifo(5000L),
            n -> n.setRxMissedErrors(5000L).setRxFifo(5000L).setRxPackets(90_000L)),
        changing(
            NIC,
            "nic-crc-errors",
            "CRC errors rising on the NIC: corrupted frames from the cable or transceiver",
            SAME,
            n -> n.setRxCrcErrors(57L).setRxErrors(57L).setRxFrame(57L).setRxPackets(400_000L)));
  }

  /**
   * Two cycles of a {@link WebHost}: what {@code cycle0} pipes, then what {@code cycle1} pipes with
   * the host's clock at cycle 1; then every window closes.
   */
  private static Scenario webHost(
      String name,
      String why,
      BiConsumer<TopologyHarness, WebHost> cycle0,
      BiConsumer<TopologyHarness, WebHost> cycle1) {
    return new Scenario(
        name,
        why,
        h -> {
          WebHost w = new WebHost();
          cycle0.accept(h, w);
          w.samples.at(cycle(1));
          cycle1.accept(h, w);
          h.advanceTo(closing(1));
        });
  }

  /** Pipes a {@link WebHost}'s interfaces with {@code change} applied to one of them. */
  @FunctionalInterface
  private interface OneInterface {
    void pipe(TopologyHarness h, WebHost w, UnaryOperator<InterfaceStats.Builder> change);
  }

  /** The host namespace's interfaces, the NIC changed. */
  private static final OneInterface NIC = (h, w, nic) -> h.pipe(w.hostInterfaces(nic, SAME, SAME));

  /** The host's and the pod's interfaces, the pod's eth0 changed. */
  private static final OneInterface POD_ETH0 =
      (h, w, eth0) -> h.pipe(w.hostInterfaces(SAME, SAME, SAME), w.podInterfaces(SAME, eth0));

  /** A {@link #webHost} scenario in which only the interface {@code where} picks changes. */
  private static Scenario changing(
      OneInterface where,
      String name,
      String why,
      UnaryOperator<InterfaceStats.Builder> cycle0,
      UnaryOperator<InterfaceStats.Builder> cycle1) {
    return webHost(
        name, why, (h, w) -> where.pipe(h, w, cycle0), (h, w) -> where.pipe(h, w, cycle1));
  }
}
