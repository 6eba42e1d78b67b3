package dev.culprit.collector.source.qdisc;

import dev.culprit.collector.platform.netlink.Attrs;
import dev.culprit.collector.platform.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Decodes a qdisc's TCA_OPTIONS into the {@code options} map {@code tc -s -j qdisc show} (iproute2
 * 6.1, {@code tc/q_*.c} print_opt without {@code -d}/{@code -raw}) gives for it, so records are the
 * same whichever way they were read. Known kinds: pfifo, bfifo, pfifo_head_drop, pfifo_fast, prio,
 * tbf, htb (here), netem, fq_codel, fq ({@link NetlinkAqmOptions}). Kinds tc prints no options for
 * (noqueue, mq, ingress, clsact) and kinds not known here get an empty map; their statistics are
 * published all the same.
 *
 * <p>Like tc, a truncated option struct makes that kind print nothing further: the map then holds
 * what came before.
 */
final class NetlinkQdiscOptions {

  private static final int TC_PRIO_MAX = 15;
  private static final int TCA_PRIO_MQ = 1;
  private static final int TCA_TBF_PARMS = 1;
  private static final int TCA_TBF_RATE64 = 4;
  private static final int TCA_TBF_PRATE64 = 5;
  private static final int TCA_TBF_MAX = 8;
  private static final int TCA_HTB_INIT = 2;
  private static final int TCA_HTB_DIRECT_QLEN = 5;
  private static final int TCA_HTB_MAX = 9;
  private static final int TC_LINKLAYER_MASK = 0x0f;
  private static final int TC_LINKLAYER_ETHERNET = 1;

  private NetlinkQdiscOptions() {}

  /**
   * The options map of a {@code kind} qdisc whose TCA_OPTIONS payload is {@code options} (null when
   * the kernel sent none), in the host's byte order.
   */
  static Map<String, String> decode(String kind, byte[] options, TcCore core)
      throws NetlinkException {
    TcJsonOptions out = new TcJsonOptions();
    if (options == null) {
      return out.map();
    }
    ByteBuffer b = ByteBuffer.wrap(options).order(ByteOrder.nativeOrder());
    switch (kind) {
      case "pfifo", "bfifo", "pfifo_head_drop" -> fifo(b, out);
      case "pfifo_fast", "prio" -> prio(b, out);
      case "tbf" -> tbf(b, out, core);
      case "htb" -> htb(b, out);
      case "netem" -> NetlinkAqmOptions.netem(b, out, core);
      case "fq_codel" -> NetlinkAqmOptions.fqCodel(b, out);
      case "fq" -> NetlinkAqmOptions.fq(b, out);
      default -> {
        // tc's print_noqopt prints nothing in JSON for kinds it has no printer for.
      }
    }
    return out.map();
  }

  /** struct tc_fifo_qopt { u32 limit; }: packets for pfifo, bytes for bfifo. */
  private static void fifo(ByteBuffer b, TcJsonOptions out) {
    if (b.limit() >= 4) {
      out.integer("limit", u32(b, 0));
    }
  }

  /**
   * struct tc_prio_qopt { int bands; u8 priomap[16]; }, optionally followed by one nested attribute
   * holding TCA_PRIO_MQ (iproute2's parse_rtattr_nested_compat).
   */
  private static void prio(ByteBuffer b, TcJsonOptions out) throws NetlinkException {
    int size = 4 + TC_PRIO_MAX + 1;
    if (b.limit() < size) {
      return;
    }
    Integer mq = null;
    int nest = align(size);
    if (b.limit() >= nest + 4) {
      int nestLength = b.getShort(nest) & 0xffff;
      Attrs attrs = Attrs.parse(b, nest + 4, Math.min(b.limit(), nest + nestLength), TCA_PRIO_MQ);
      mq = attrs.u8(TCA_PRIO_MQ);
    }
    out.integer("bands", u32(b, 0));
    StringBuilder priomap = new StringBuilder();
    for (int i = 0; i <= TC_PRIO_MAX; i++) {
      if (i > 0) {
        priomap.append(' ');
      }
      priomap.append(b.get(4 + i) & 0xff);
    }
    out.string("priomap", priomap.toString());
    out.bool("multiqueue", mq != null && mq != 0);
  }

  /**
   * TCA_TBF_PARMS struct tc_tbf_qopt { tc_ratespec rate, peakrate; u32 limit, buffer, mtu; } with
   * tc_ratespec { u8 cell_log, linklayer; u16 overhead; s16 cell_align; u16 mpu; u32 rate; },
   * TCA_TBF_RATE64 / TCA_TBF_PRATE64 for rates past 4 GB/s. Prints rate (bytes/s), burst (bytes),
   * minburst with a peak rate, then lat (µs) — or limit when the latency would be negative.
   */
  private static void tbf(ByteBuffer b, TcJsonOptions out, TcCore core) throws NetlinkException {
    Attrs a = Attrs.parse(b, 0, b.limit(), TCA_TBF_MAX);
    if (a.length(TCA_TBF_PARMS) < 36) {
      return;
    }
    int p = a.offset(TCA_TBF_PARMS);
    long rate64 = u32(b, p + 8);
    if (a.length(TCA_TBF_RATE64) >= 8) {
      rate64 = a.u64(TCA_TBF_RATE64);
    }
    long limit = u32(b, p + 24);
    long buffer = u32(b, p + 28);
    long mtu = u32(b, p + 32);
    int peakMpu = b.getShort(p + 12 + 6) & 0xffff;
    out.unsigned64("rate", rate64);
    out.integer("burst", core.xmitSize(rate64, buffer));
    long prate64 = u32(b, p + 12 + 8);
    if (a.length(TCA_TBF_PRATE64) >= 8) {
      prate64 = a.u64(TCA_TBF_PRATE64);
    }
    if (prate64 != 0 && (mtu != 0 || peakMpu != 0)) {
      out.integer("minburst", core.xmitSize(prate64, mtu));
    }
    double latency =
        TcCore.TIME_UNITS_PER_SEC * (limit / unsignedDouble(rate64)) - core.tick2time(buffer);
    if (prate64 != 0) {
      double lat2 =
          TcCore.TIME_UNITS_PER_SEC * (limit / unsignedDouble(prate64)) - core.tick2time(mtu);
      if (lat2 > latency) {
        latency = lat2;
      }
    }
    if (latency >= 0.0) {
      out.unsigned64("lat", toUnsigned64(latency));
    } else {
      out.integer("limit", limit);
    }
    int overhead = b.getShort(p + 2) & 0xffff;
    if (overhead != 0) {
      out.integer("overhead", overhead);
    }
    int linklayer = (b.get(p + 1) & 0xff) & TC_LINKLAYER_MASK;
    if (linklayer > TC_LINKLAYER_ETHERNET) {
      out.string("linklayer", linklayer == 2 ? "atm" : "unknown");
    }
  }

  /**
   * A root htb qdisc: TCA_HTB_INIT struct tc_htb_glob { u32 version, rate2quantum, defcls, debug,
   * direct_pkts; } and TCA_HTB_DIRECT_QLEN u32. TCA_HTB_PARMS belongs to classes, not qdiscs.
   */
  private static void htb(ByteBuffer b, TcJsonOptions out) throws NetlinkException {
    Attrs a = Attrs.parse(b, 0, b.limit(), TCA_HTB_MAX);
    if (a.has(TCA_HTB_INIT)) {
      if (a.length(TCA_HTB_INIT) < 20) {
        return;
      }
      int g = a.offset(TCA_HTB_INIT);
      out.integer("r2q", b.getInt(g + 4));
      long defcls = u32(b, g + 8);
      // print_0xhex: "%#llx", which prints 0 without the 0x
      out.string("default", defcls == 0 ? "0" : "0x" + Long.toHexString(defcls));
      out.integer("direct_packets_stat", u32(b, g + 16));
    }
    if (a.length(TCA_HTB_DIRECT_QLEN) >= 4) {
      out.integer("direct_qlen", a.u32(TCA_HTB_DIRECT_QLEN));
    }
  }

  static long u32(ByteBuffer b, int index) {
    return b.getInt(index) & 0xffffffffL;
  }

  static int align(int length) {
    return (length + 3) & ~3;
  }

  private static double unsignedDouble(long value) {
    return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
  }

  /** C's conversion of a non-negative double to an unsigned 64-bit integer: truncation. */
  private static long toUnsigned64(double value) {
    if (value >= 0x1p63) {
      return (long) (value - 0x1p63) ^ Long.MIN_VALUE;
    }
    return (long) value;
  }
}
