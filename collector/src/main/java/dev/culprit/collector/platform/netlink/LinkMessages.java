package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Parses RTM_NEWLINK messages (a reply to {@link DumpRequest#LINKS} / {@link
 * DumpRequest#LINK_NAMES}).
 *
 * <pre>
 * struct ifinfomsg { u8 ifi_family; u8 pad; u16 ifi_type; s32 ifi_index; u32 ifi_flags; u32 ifi_change; }
 * rtattrs: IFLA_IFNAME "eth0\0", IFLA_MTU u32, IFLA_LINK u32, IFLA_OPERSTATE u8,
 *          IFLA_LINKINFO { IFLA_INFO_KIND "veth\0", ... }, IFLA_STATS64 struct rtnl_link_stats64, ...
 * </pre>
 */
public final class LinkMessages {

  static final int IFINFOMSG = 16;

  private LinkMessages() {}

  /** A handler that appends every link in a dump to {@code into}. */
  public static NlMessages.Handler collectInto(List<NlLink> into) {
    return (type, payload) -> {
      if (type == Rtnl.RTM_NEWLINK) {
        into.add(parse(payload));
      }
    };
  }

  /** One RTM_NEWLINK payload. */
  public static NlLink parse(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < IFINFOMSG) {
      throw new NetlinkException("RTM_NEWLINK of " + payload.limit() + " bytes, no ifinfomsg");
    }
    int arphrd = payload.getShort(2) & 0xffff;
    int ifindex = payload.getInt(4);
    Attrs a = Attrs.parse(payload, IFINFOMSG, payload.limit(), Rtnl.IFLA_MAX_USED);
    String name = a.string(Rtnl.IFLA_IFNAME);
    if (name == null) {
      throw new NetlinkException("RTM_NEWLINK for ifindex " + ifindex + " without IFLA_IFNAME");
    }
    Attrs info = a.nested(Rtnl.IFLA_LINKINFO, Rtnl.IFLA_INFO_KIND);
    Long mtu = a.u32(Rtnl.IFLA_MTU);
    Long link = a.u32(Rtnl.IFLA_LINK);
    return new NlLink(
        ifindex,
        arphrd,
        name,
        mtu == null ? null : mtu.intValue(),
        link == null ? null : link.intValue(),
        a.u8(Rtnl.IFLA_OPERSTATE),
        info == null ? null : info.string(Rtnl.IFLA_INFO_KIND),
        stats(a));
  }

  private static long[] stats(Attrs a) {
    int max = LinkStats.NAMES.size();
    if (a.has(Rtnl.IFLA_STATS64)) {
      int n = Math.min(a.length(Rtnl.IFLA_STATS64) / 8, max);
      long[] out = new long[n];
      for (int i = 0; i < n; i++) {
        out[i] = a.buffer().getLong(a.offset(Rtnl.IFLA_STATS64) + 8 * i);
      }
      return out;
    }
    if (a.has(Rtnl.IFLA_STATS)) {
      int n = Math.min(a.length(Rtnl.IFLA_STATS) / 4, max);
      long[] out = new long[n];
      for (int i = 0; i < n; i++) {
        out[i] = a.buffer().getInt(a.offset(Rtnl.IFLA_STATS) + 4 * i) & 0xffffffffL;
      }
      return out;
    }
    return null;
  }
}
