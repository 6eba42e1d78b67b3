package dev.culprit.collector.source.iface;

import java.util.Map;

/**
 * ARPHRD_* hardware types (include/uapi/linux/if_arp.h) under the names {@code ip -j} prints as
 * {@code link_type} (iproute2 lib/ll_types.c), "[N]" for others as ip does.
 */
final class ArphrdNames {

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(0, "netrom"),
          Map.entry(1, "ether"),
          Map.entry(2, "eether"),
          Map.entry(3, "ax25"),
          Map.entry(4, "pronet"),
          Map.entry(5, "chaos"),
          Map.entry(6, "ieee802"),
          Map.entry(7, "arcnet"),
          Map.entry(8, "atalk"),
          Map.entry(15, "dlci"),
          Map.entry(19, "atm"),
          Map.entry(23, "metricom"),
          Map.entry(24, "ieee1394"),
          Map.entry(32, "infiniband"),
          Map.entry(256, "slip"),
          Map.entry(257, "cslip"),
          Map.entry(258, "slip6"),
          Map.entry(259, "cslip6"),
          Map.entry(260, "rsrvd"),
          Map.entry(264, "adapt"),
          Map.entry(270, "rose"),
          Map.entry(271, "x25"),
          Map.entry(272, "hwx25"),
          Map.entry(280, "can"),
          Map.entry(512, "ppp"),
          Map.entry(513, "hdlc"),
          Map.entry(516, "lapb"),
          Map.entry(517, "ddcmp"),
          Map.entry(518, "rawhdlc"),
          Map.entry(768, "ipip"),
          Map.entry(769, "tunnel6"),
          Map.entry(770, "frad"),
          Map.entry(771, "skip"),
          Map.entry(772, "loopback"),
          Map.entry(773, "ltalk"),
          Map.entry(774, "fddi"),
          Map.entry(775, "bif"),
          Map.entry(776, "sit"),
          Map.entry(777, "ip/ddp"),
          Map.entry(778, "gre"),
          Map.entry(779, "pimreg"),
          Map.entry(780, "hippi"),
          Map.entry(781, "ash"),
          Map.entry(782, "econet"),
          Map.entry(783, "irda"),
          Map.entry(784, "fcpp"),
          Map.entry(785, "fcal"),
          Map.entry(786, "fcpl"),
          Map.entry(800, "tr"),
          Map.entry(801, "ieee802.11"),
          Map.entry(802, "ieee802.11/prism"),
          Map.entry(803, "ieee802.11/radiotap"),
          Map.entry(804, "ieee802.15.4"),
          Map.entry(805, "ieee802.15.4/monitor"),
          Map.entry(820, "phonet"),
          Map.entry(821, "phonet_pipe"),
          Map.entry(822, "caif"),
          Map.entry(823, "gre6"),
          Map.entry(824, "netlink"),
          Map.entry(825, "6lowpan"),
          Map.entry(0xfffe, "none"),
          Map.entry(0xffff, "void"));

  private ArphrdNames() {}

  static String name(int type) {
    if (type >= 787 && type <= 799) {
      return "fcfb" + (type - 787);
    }
    String name = NAMES.get(type);
    return name != null ? name : "[" + type + "]";
  }
}
