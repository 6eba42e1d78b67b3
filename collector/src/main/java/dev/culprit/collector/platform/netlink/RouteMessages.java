package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;

/**
 * Parses RTM_NEWROUTE (a reply to {@link DumpRequest#ROUTES}) and RTM_NEWNEIGH (a reply to {@link
 * DumpRequest#NEIGHBOURS}).
 *
 * <pre>
 * struct rtmsg { u8 family; u8 dst_len; u8 src_len; u8 tos; u8 table; u8 protocol; u8 scope;
 *                u8 type; u32 flags; }                                  rtattrs: RTA_DST, RTA_OIF,
 *                                                                 RTA_GATEWAY, RTA_TABLE, ...
 * struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }
 *                                        rtattrs: NDA_DST, NDA_LLADDR, NDA_CACHEINFO, NDA_PROBES
 * struct nda_cacheinfo { u32 confirmed; u32 used; u32 updated; u32 refcnt; }   (clock_t, USER_HZ)
 * </pre>
 */
public final class RouteMessages {

  static final int RTMSG = 12;
  static final int NDMSG = 12;

  /**
   * USER_HZ: the kernel reports cache ages in clock ticks of 1/100 s on every architecture Linux
   * runs on today ({@code jiffies_to_clock_t}).
   */
  static final long MS_PER_CLOCK_TICK = 10;

  private RouteMessages() {}

  /** The route's type without parsing the rest ({@code rtm_type}, byte 7); -1 when too short. */
  public static int routeType(ByteBuffer payload) {
    return payload.limit() < RTMSG ? -1 : payload.get(7) & 0xff;
  }

  /** The entry's state without parsing the rest ({@code ndm_state}); -1 when too short. */
  public static int neighbourState(ByteBuffer payload) {
    return payload.limit() < NDMSG ? -1 : payload.getShort(8) & 0xffff;
  }

  /** One RTM_NEWROUTE payload; null for a family other than IPv4/IPv6 or a cached clone. */
  public static NlRoute parseRoute(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < RTMSG) {
      throw new NetlinkException("RTM_NEWROUTE of " + payload.limit() + " bytes, no rtmsg");
    }
    int family = payload.get(0) & 0xff;
    int length = addressLength(family);
    if (length < 0 || (payload.getInt(8) & Rtnl.RTM_F_CLONED) != 0) {
      return null;
    }
    int dstLen = payload.get(1) & 0xff;
    Attrs a = Attrs.parse(payload, RTMSG, payload.limit(), Rtnl.RTA_MAX_USED);
    byte[] dst = address(a, Rtnl.RTA_DST, length, "RTA_DST");
    byte[] gateway = address(a, Rtnl.RTA_GATEWAY, length, "RTA_GATEWAY");
    Long table = a.u32(Rtnl.RTA_TABLE);
    Long oif = a.u32(Rtnl.RTA_OIF);
    return new NlRoute(
        family,
        payload.get(7) & 0xff,
        table != null ? table : payload.get(4) & 0xff,
        dst,
        dstLen,
        gateway,
        oif == null ? null : oif.intValue());
  }

  /** One RTM_NEWNEIGH payload; null for a family other than IPv4/IPv6 or without an address. */
  public static NlNeighbour parseNeighbour(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < NDMSG) {
      throw new NetlinkException("RTM_NEWNEIGH of " + payload.limit() + " bytes, no ndmsg");
    }
    int family = payload.get(0) & 0xff;
    int length = addressLength(family);
    if (length < 0) {
      return null;
    }
    Attrs a = Attrs.parse(payload, NDMSG, payload.limit(), Rtnl.NDA_MAX_USED);
    byte[] dst = address(a, Rtnl.NDA_DST, length, "NDA_DST");
    if (dst == null) {
      return null;
    }
    Long used = null;
    Long updated = null;
    if (a.has(Rtnl.NDA_CACHEINFO)) {
      if (a.length(Rtnl.NDA_CACHEINFO) < 16) {
        throw new NetlinkException(
            "NDA_CACHEINFO of " + a.length(Rtnl.NDA_CACHEINFO) + " bytes, not 16");
      }
      int at = a.offset(Rtnl.NDA_CACHEINFO);
      used = Integer.toUnsignedLong(a.buffer().getInt(at + 4)) * MS_PER_CLOCK_TICK;
      updated = Integer.toUnsignedLong(a.buffer().getInt(at + 8)) * MS_PER_CLOCK_TICK;
    }
    return new NlNeighbour(
        family,
        payload.getInt(4),
        payload.getShort(8) & 0xffff,
        dst,
        used,
        updated,
        a.u32(Rtnl.NDA_PROBES));
  }

  private static int addressLength(int family) {
    return family == Rtnl.AF_INET ? 4 : family == Rtnl.AF_INET6 ? 16 : -1;
  }

  private static byte[] address(Attrs a, int type, int length, String name)
      throws NetlinkException {
    byte[] bytes = a.bytes(type);
    if (bytes != null && bytes.length != length) {
      throw new NetlinkException(name + " of " + bytes.length + " bytes, not " + length);
    }
    return bytes;
  }
}
