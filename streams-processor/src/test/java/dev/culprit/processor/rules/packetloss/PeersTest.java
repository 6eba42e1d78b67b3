package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.SampleFactory.iface;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.processor.window.Windows;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import org.junit.jupiter.api.Test;

class PeersTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);

  /** Namespace {@code netns} of host h's window holding {@code samples}. */
  private static NetnsWindow netns(String netns, InterfaceSample... samples) {
    return Windows.of("h", samples).netns(netns).orElseThrow();
  }

  @Test
  void aVethPeerIsTheInterfaceWhoseIndexAndLinkMirrorItsOwn() {
    NetnsWindow pod =
        netns(
            "pod",
            f.interfaces("", iface("vethA").setIfindex(8).setPeerIfindex(7).build()),
            f.interfaces("pod", iface("eth0").setIfindex(7).setPeerIfindex(8).setMtu(100).build()));
    InterfaceStats eth0 = pod.interfaces().get(0);
    assertThat(Peers.vethPeer(pod, eth0))
        .hasValueSatisfying(p -> assertThat(p.iface().getName()).isEqualTo("vethA"));
    assertThat(Peers.withLargerMtu(pod, eth0))
        .hasValueSatisfying(p -> assertThat(p.iface().getMtu()).isEqualTo(1500));
  }

  @Test
  void twoMirrorImagesMakeThePeerAmbiguousSoNeitherIsUsed() {
    NetnsWindow pod =
        netns(
            "pod",
            f.interfaces("", iface("vethA").setIfindex(8).setPeerIfindex(7).build()),
            f.interfaces("other", iface("vethB").setIfindex(8).setPeerIfindex(7).build()),
            f.interfaces("pod", iface("eth0").setIfindex(7).setPeerIfindex(8).setMtu(100).build()));
    assertThat(Peers.vethPeer(pod, pod.interfaces().get(0))).isEmpty();
  }

  @Test
  void aPhysicalDeviceLinksToItselfAndHasNoVethPeer() {
    NetnsWindow host =
        netns(
            "",
            f.interfaces("", iface("eth0").setIfindex(2).setPeerIfindex(2).setMtu(1400).build()),
            f.interfaces("x", iface("eth9").setIfindex(2).setPeerIfindex(2).setMtu(9000).build()));
    assertThat(Peers.vethPeer(host, host.interfaces().get(0))).isEmpty();
    assertThat(Peers.withLargerMtu(host, host.interfaces().get(0))).isEmpty();
  }

  @Test
  void aDownNeighbourSendsNothingAndIsNotEvidence() {
    NetnsWindow pod =
        netns(
            "pod",
            f.interfaces(
                "",
                iface("br0")
                    .setOperState("down")
                    .setAddresses(new java.util.ArrayList<>(java.util.List.of("10.9.0.1/24")))
                    .build()),
            f.interfaces(
                "pod",
                iface("eth0")
                    .setMtu(1000)
                    .setAddresses(new java.util.ArrayList<>(java.util.List.of("10.9.0.2/24")))
                    .build()));
    assertThat(Peers.withLargerMtu(pod, pod.interfaces().get(0))).isEmpty();
  }
}
