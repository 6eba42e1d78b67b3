package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The dump requests the collector sends, each a whole netlink message (sequence number 0, filled in
 * per send).
 */
public enum DumpRequest {
  /** RTM_GETLINK with statistics: every link with IFLA_STATS64 (the interface source). */
  LINKS(NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETLINK, ifinfomsg(null))),
  /**
   * RTM_GETLINK with {@code RTEXT_FILTER_SKIP_STATS}, for the qdisc source, which needs only names
   * by ifindex: the kernel still sends the link counters but leaves out the per-family (IPv6)
   * statistics, a quarter fewer bytes. Kernels that do not know the flag ignore it.
   */
  LINK_NAMES(
      NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETLINK, ifinfomsg(Rtnl.RTEXT_FILTER_SKIP_STATS))),
  /** RTM_GETADDR of every family. */
  ADDRESSES(NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETADDR, new byte[8])),
  /**
   * RTM_GETROUTE of every family and table (struct rtmsg, 12 bytes, all zero: AF_UNSPEC, no table
   * filter).
   */
  ROUTES(NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETROUTE, new byte[12])),
  /** RTM_GETNEIGH of every family (struct ndmsg, 12 bytes, all zero): ARP and NDISC entries. */
  NEIGHBOURS(NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETNEIGH, new byte[12])),
  /** RTM_GETQDISC: every qdisc of every device, with TCA_STATS2. */
  QDISCS(NetlinkSocketKind.ROUTE, message(Rtnl.RTM_GETQDISC, new byte[20])),
  /** NFT_MSG_GETTABLE over NETLINK_NETFILTER: the nf_tables tables of every family. */
  NFT_TABLES(NetlinkSocketKind.NETFILTER, message(NfTables.GETTABLE, new byte[4])),
  /**
   * NFT_MSG_GETRULE over NETLINK_NETFILTER: every rule of every table and family (NFPROTO_UNSPEC),
   * chain by chain in rule order, with its counters.
   */
  NFT_RULES(NetlinkSocketKind.NETFILTER, message(NfRules.GETRULE, new byte[4])),
  /**
   * NFT_MSG_GETGEN: the ruleset generation, which changes with every committed ruleset change. Not
   * a dump: the single reply is followed by the ACK this request asks for, which ends it.
   */
  NFT_GENERATION(
      NetlinkSocketKind.NETFILTER,
      message(NfRules.GETGEN, new byte[4], NlMessages.NLM_F_REQUEST | NlMessages.NLM_F_ACK));

  private final NetlinkSocketKind socket;
  private final byte[] message;

  DumpRequest(NetlinkSocketKind socket, byte[] message) {
    this.socket = socket;
    this.message = message;
  }

  /** Which socket carries it. */
  public NetlinkSocketKind socket() {
    return socket;
  }

  /** A copy of the request message. */
  public byte[] message() {
    return message.clone();
  }

  /** Which netlink protocol a request goes over. */
  public enum NetlinkSocketKind {
    ROUTE,
    NETFILTER
  }

  private static byte[] ifinfomsg(Integer extMask) {
    // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } = 16
    ByteBuffer b = ByteBuffer.allocate(extMask == null ? 16 : 24).order(ByteOrder.nativeOrder());
    if (extMask != null) {
      b.putShort(16, (short) 8).putShort(18, (short) Rtnl.IFLA_EXT_MASK).putInt(20, extMask);
    }
    return b.array();
  }

  private static byte[] message(int type, byte[] payload) {
    return message(type, payload, NlMessages.NLM_F_REQUEST | NlMessages.NLM_F_DUMP);
  }

  private static byte[] message(int type, byte[] payload, int flags) {
    ByteBuffer b =
        ByteBuffer.allocate(NlMessages.HEADER + payload.length).order(ByteOrder.nativeOrder());
    b.putInt(NlMessages.HEADER + payload.length)
        .putShort((short) type)
        .putShort((short) flags)
        .putInt(0)
        .putInt(0)
        .put(payload);
    return b.array();
  }
}
