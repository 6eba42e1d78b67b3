package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * MTU_MISMATCH: a device drops what it receives and its MTU is below that of the interfaces that
 * send to it. Frames longer than the receiver's MTU are discarded on arrival (counted in rx_dropped
 * on a veth, rx_length_errors on a NIC), so small packets (SYNs, ACKs) pass and large ones (an HTTP
 * request with data) never arrive, as in the seed.
 *
 * <p>Specific evidence, either of: {@code rx_length_errors} on the device, which only frames of a
 * bad length cause; or, for a veth, {@code tx_dropped} rising on a veth with a larger MTU that
 * sends to it (its known peer, else any veth of the host whose own peer is not in view): when the
 * kernel refuses a frame longer than the receiver's MTU ({@code is_skb_forwardable} in {@code
 * __dev_forward_skb}) it counts it in the receiver's rx_dropped and in the sender's tx_dropped.
 * Corroborating only: {@code rx_dropped}, which the stack also raises for unknown protocols (IPv6
 * disabled, LLDP), a full backlog and more; and a peer with a larger MTU, which is a configuration,
 * not proof that large frames came. So rx_dropped next to a larger MTU never names this cause
 * unless the sender's side shows the refusal. A small MTU without drops is a choice, not a fault;
 * loopback is never a candidate.
 */
final class MtuMismatchRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (InterfaceStats device : Peers.nonLoopback(window)) {
      if (device.getMtu() == null) {
        continue;
      }
      boolean drops = positive(device.getRxDropped());
      boolean lengthErrors = positive(device.getRxLengthErrors());
      if (!drops && !lengthErrors) {
        continue;
      }
      Optional<Peers.Peer> peer = Peers.withLargerMtu(window, device);
      Optional<Peers.Peer> refusing =
          drops ? Peers.vethRefusingFrames(window, device) : Optional.empty();
      if (peer.isEmpty() && !lengthErrors) {
        continue;
      }
      if (!lengthErrors && refusing.isEmpty()) {
        continue;
      }
      long intervalMs = window.deltaMs(SampleKinds.INTERFACE);
      CauseBuilder cause =
          CauseBuilder.of(window, Cause.MTU_MISMATCH, Layer.LINK, device.getName())
              .evidence("device", device.getName())
              .evidenceFrom(device, "mtu", "rxDropped", "rxLengthErrors", "rxPackets")
              .evidence("intervalMs", intervalMs);
      refusing.ifPresent(
          r ->
              cause
                  .evidence("senderDevice", r.iface().getName())
                  .evidence("senderNetns", r.netns().netns())
                  .evidence("senderTxDropped", r.iface().getTxDropped()));
      String lost = lostPackets(device, intervalMs);
      if (peer.isPresent()) {
        Peers.Peer p = peer.get();
        int peerMtu = p.iface().getMtu();
        cause
            .evidence("peerDevice", p.iface().getName())
            .evidence("peerNetns", p.netns().netns())
            .evidence("peerMtu", peerMtu)
            .evidence("peerRelation", p.relation())
            .confidence(lengthErrors ? 0.95 : p.relation().equals("veth peer") ? 0.85 : 0.75)
            .summary(
                String.format(
                    Locale.ROOT,
                    "%s in %s has MTU %d, below the MTU %d of %s %s in %s: %s; packets larger"
                        + " than %d bytes never arrive while small ones (SYNs, ACKs) pass.",
                    device.getName(),
                    window.label(),
                    device.getMtu(),
                    peerMtu,
                    p.relation().equals("veth peer") ? "its veth peer" : "its neighbour",
                    p.iface().getName(),
                    p.netns() == window ? "the same namespace" : p.netns().label(),
                    lost,
                    device.getMtu()))
            .fix(
                Fixes.inNetns(
                    window,
                    List.of("ip", "link", "set", "dev", device.getName(), "mtu", "" + peerMtu),
                    null));
      } else {
        cause
            .confidence(0.6)
            .summary(
                String.format(
                    Locale.ROOT,
                    "%s in %s receives frames longer than its MTU %d: %s; the rest of its"
                        + " network uses a larger MTU.",
                    device.getName(),
                    window.label(),
                    device.getMtu(),
                    lost))
            .fix(
                Fixes.inNetns(
                    window,
                    List.of("ip", "link", "set", "dev", device.getName(), "mtu", "1500"),
                    "or the MTU the rest of its network uses"));
      }
      causes.add(cause.build());
    }
    return causes;
  }

  private static String lostPackets(InterfaceStats device, long intervalMs) {
    List<String> parts = new ArrayList<>();
    if (positive(device.getRxDropped())) {
      parts.add(device.getRxDropped() + " received packets dropped");
    }
    if (positive(device.getRxLengthErrors())) {
      parts.add(device.getRxLengthErrors() + " length errors");
    }
    return String.join(" and ", parts) + " in " + Fmt.seconds(intervalMs);
  }

  private static boolean positive(Long delta) {
    return delta != null && delta > 0;
  }
}
