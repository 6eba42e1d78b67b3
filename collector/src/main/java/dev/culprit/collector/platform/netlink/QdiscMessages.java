package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Parses RTM_NEWQDISC messages (a reply to {@link DumpRequest#QDISCS}).
 *
 * <pre>
 * struct tcmsg { u8 tcm_family; u8 pad1; u16 pad2; s32 tcm_ifindex; u32 tcm_handle; u32 tcm_parent; u32 tcm_info; }
 * rtattrs: TCA_KIND "tbf\0", TCA_OPTIONS (kind-specific), TCA_STATS2 {
 *            TCA_STATS_BASIC struct gnet_stats_basic { u64 bytes; u32 packets; },
 *            TCA_STATS_QUEUE struct gnet_stats_queue { u32 qlen, backlog, drops, requeues, overlimits; },
 *            TCA_STATS_PKT64 u64 (5.x+) }, TCA_STATS struct tc_stats (old), ...
 * </pre>
 *
 * <p>As iproute2 does: a short struct is zero-filled (kernels grow them), TCA_STATS_PKT64 replaces
 * the 32-bit packet count when non-zero, and the old TCA_STATS is used only without TCA_STATS2.
 * Unlike tc's JSON, which prints nothing for the old struct, its counters are kept.
 */
public final class QdiscMessages {

  static final int TCMSG = 20;

  private QdiscMessages() {}

  /** A handler that appends every qdisc in a dump to {@code into}. */
  public static NlMessages.Handler collectInto(List<NlQdisc> into) {
    return (type, payload) -> {
      if (type == Rtnl.RTM_NEWQDISC) {
        into.add(parse(payload));
      }
    };
  }

  /** One RTM_NEWQDISC payload. */
  public static NlQdisc parse(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < TCMSG) {
      throw new NetlinkException("RTM_NEWQDISC of " + payload.limit() + " bytes, no tcmsg");
    }
    int ifindex = payload.getInt(4);
    long handle = payload.getInt(8) & 0xffffffffL;
    long parent = payload.getInt(12) & 0xffffffffL;
    Attrs a = Attrs.parse(payload, TCMSG, payload.limit(), Rtnl.TCA_MAX_USED);
    String kind = a.string(Rtnl.TCA_KIND);
    if (kind == null) {
      throw new NetlinkException("RTM_NEWQDISC on ifindex " + ifindex + " without TCA_KIND");
    }
    return new NlQdisc(ifindex, handle, parent, kind, a.bytes(Rtnl.TCA_OPTIONS), stats(a));
  }

  private static NlQdisc.Stats stats(Attrs a) throws NetlinkException {
    Attrs s = a.nested(Rtnl.TCA_STATS2, Rtnl.TCA_STATS_MAX_USED);
    if (s != null) {
      Long bytes = null;
      Long packets = null;
      if (s.has(Rtnl.TCA_STATS_BASIC)) {
        long[] basic = fields(s, Rtnl.TCA_STATS_BASIC, 8, 4);
        bytes = basic[0];
        packets = basic[1];
        Long packets64 = s.u64(Rtnl.TCA_STATS_PKT64);
        if (packets64 != null && packets64 != 0) {
          packets = packets64;
        }
      }
      if (!s.has(Rtnl.TCA_STATS_QUEUE)) {
        return new NlQdisc.Stats(bytes, packets, null, null, null, null, null);
      }
      long[] q = fields(s, Rtnl.TCA_STATS_QUEUE, 4, 4, 4, 4, 4);
      return new NlQdisc.Stats(bytes, packets, q[2], q[4], q[3], q[1], q[0]);
    }
    if (a.has(Rtnl.TCA_STATS)) {
      // struct tc_stats { u64 bytes; u32 packets, drops, overlimits, bps, pps, qlen, backlog; }
      long[] t = fields(a, Rtnl.TCA_STATS, 8, 4, 4, 4, 4, 4, 4, 4);
      return new NlQdisc.Stats(t[0], t[1], t[2], t[3], null, t[7], t[6]);
    }
    return null;
  }

  /**
   * Reads consecutive unsigned fields of the given widths from attribute {@code type}'s payload;
   * fields past a short payload read as zero, as iproute2's memcpy into a zeroed struct does.
   */
  private static long[] fields(Attrs attrs, int type, int... widths) {
    long[] out = new long[widths.length];
    int pos = attrs.offset(type);
    int end = pos + attrs.length(type);
    ByteBuffer b = attrs.buffer();
    for (int i = 0; i < widths.length; i++) {
      if (pos + widths[i] <= end) {
        out[i] = widths[i] == 8 ? b.getLong(pos) : b.getInt(pos) & 0xffffffffL;
      }
      pos += widths[i];
    }
    return out;
  }
}
