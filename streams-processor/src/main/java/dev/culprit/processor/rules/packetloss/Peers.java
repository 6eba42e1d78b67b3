package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.InterfaceStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The interfaces a device exchanges frames with directly, found among every namespace of its host
 * in the same window: its veth peer (ifindex and iflink pointing at each other across namespaces)
 * and the interfaces with an address in the same IP network (a container's eth0 and its bridge).
 * Other hosts are not looked at: a host's aggregate is its own.
 */
final class Peers {

  /**
   * A peer.
   *
   * @param netns its namespace
   * @param iface the interface
   * @param relation how it is connected ("veth peer", "same network 172.17.0.0/16")
   */
  record Peer(NetnsWindow netns, InterfaceStats iface, String relation) {}

  private Peers() {}

  static boolean isLoopback(InterfaceStats i) {
    return "loopback".equals(i.getLinkType()) || "lo".equals(i.getName());
  }

  /** The window's interfaces but loopback, which never connects to a peer or a wire. */
  static List<InterfaceStats> nonLoopback(NetnsWindow window) {
    return window.interfaces().stream().filter(i -> !isLoopback(i)).toList();
  }

  /** The peer with the largest MTU above {@code device}'s, veth peer first; empty if none. */
  static Optional<Peer> withLargerMtu(NetnsWindow home, InterfaceStats device) {
    int mtu = device.getMtu();
    Optional<Peer> veth = vethPeer(home, device);
    if (veth.isPresent()) {
      Integer peerMtu = veth.get().iface().getMtu();
      if (peerMtu != null && peerMtu > mtu && isUsable(veth.get().iface())) {
        return veth;
      }
    }
    List<Peer> candidates = new ArrayList<>();
    for (Cidr own : addresses(device)) {
      for (NetnsWindow ns : home.host().namespaces()) {
        for (InterfaceStats other : ns.interfaces()) {
          if (isSelf(home, device, ns, other)
              || isLoopback(other)
              || !isUsable(other)
              || other.getMtu() == null
              || other.getMtu() <= mtu) {
            continue;
          }
          for (Cidr theirs : addresses(other)) {
            if (own.sameNetwork(theirs)) {
              candidates.add(new Peer(ns, other, "same network " + own.network()));
              break;
            }
          }
        }
      }
    }
    return candidates.stream()
        .max(
            Comparator.comparingInt((Peer p) -> p.iface().getMtu())
                .thenComparing(p -> p.netns().netns(), Comparator.reverseOrder())
                .thenComparing(p -> p.iface().getName(), Comparator.reverseOrder()));
  }

  /**
   * The veth that sends to {@code device} and refused frames in the window (its tx_dropped rose)
   * with an MTU above the device's: the device's known veth peer; when the device's peer is not in
   * view, the one such veth on the host whose own peer is not in view either. Empty when none, or
   * when several could be it.
   */
  static Optional<Peer> vethRefusingFrames(NetnsWindow home, InterfaceStats device) {
    int mtu = device.getMtu();
    Optional<Peer> known = vethPeer(home, device);
    if (known.isPresent()) {
      return known.filter(p -> refuses(p.iface(), mtu));
    }
    List<Peer> candidates = new ArrayList<>();
    for (NetnsWindow ns : home.host().namespaces()) {
      for (InterfaceStats other : ns.interfaces()) {
        if (!isSelf(home, device, ns, other)
            && "veth".equals(other.getLinkType())
            && refuses(other, mtu)
            && vethPeer(ns, other).isEmpty()) {
          candidates.add(new Peer(ns, other, "veth"));
        }
      }
    }
    return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
  }

  private static boolean refuses(InterfaceStats sender, int receiverMtu) {
    return sender.getTxDropped() != null
        && sender.getTxDropped() > 0
        && sender.getMtu() != null
        && sender.getMtu() > receiverMtu;
  }

  /** The other end of a veth: the one interface whose ifindex and iflink mirror the device's. */
  static Optional<Peer> vethPeer(NetnsWindow home, InterfaceStats device) {
    Integer index = device.getIfindex();
    Integer link = device.getPeerIfindex();
    if (index == null || link == null || index.equals(link) || isLoopback(device)) {
      return Optional.empty(); // A physical device's iflink is its own index.
    }
    List<Peer> matches = new ArrayList<>();
    for (NetnsWindow ns : home.host().namespaces()) {
      for (InterfaceStats other : ns.interfaces()) {
        if (!isSelf(home, device, ns, other)
            && link.equals(other.getIfindex())
            && index.equals(other.getPeerIfindex())) {
          matches.add(new Peer(ns, other, "veth peer"));
        }
      }
    }
    // ifindexes are per namespace: two mirror images would make the peer ambiguous.
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  private static boolean isUsable(InterfaceStats i) {
    return !"down".equalsIgnoreCase(i.getOperState());
  }

  private static boolean isSelf(
      NetnsWindow home, InterfaceStats device, NetnsWindow ns, InterfaceStats other) {
    return ns == home && other.getName().equals(device.getName());
  }

  private static List<Cidr> addresses(InterfaceStats i) {
    List<Cidr> out = new ArrayList<>();
    for (String text : i.getAddresses()) {
      Cidr.parse(text).filter(Cidr::isRoutable).ifPresent(out::add);
    }
    return out;
  }
}
