package dev.culprit.collector.source.qdisc;

import static dev.culprit.collector.source.qdisc.NetlinkQdiscOptions.u32;

import dev.culprit.collector.platform.netlink.Attrs;
import dev.culprit.collector.platform.netlink.NetlinkException;
import java.nio.ByteBuffer;

/**
 * TCA_OPTIONS of netem, fq_codel and fq as {@code tc -j} prints them (iproute2 6.1 q_netem.c,
 * q_fq_codel.c, q_fq.c). netem is not built into the kernel this was written on: its decoding
 * follows those printers and the kernel's {@code netem_dump}, and is tested on hand-built messages.
 */
final class NetlinkAqmOptions {

  private static final double U32_MAX = 4294967295.0;
  private static final int NETEM_QOPT = 24;
  private static final int TCA_NETEM_CORR = 1;
  private static final int TCA_NETEM_REORDER = 3;
  private static final int TCA_NETEM_CORRUPT = 4;
  private static final int TCA_NETEM_LOSS = 5;
  private static final int TCA_NETEM_RATE = 6;
  private static final int TCA_NETEM_ECN = 7;
  private static final int TCA_NETEM_RATE64 = 8;
  private static final int TCA_NETEM_SLOT = 12;
  private static final int TCA_NETEM_MAX = 13;
  private static final int NETEM_LOSS_GI = 1;
  private static final int NETEM_LOSS_GE = 2;

  private NetlinkAqmOptions() {}

  /**
   * struct tc_netem_qopt { u32 latency (ticks), limit, loss (fraction of 2^32-1), gap, duplicate,
   * jitter (ticks); } followed by attributes. JSON prints probabilities as fractions and times in
   * seconds; ecn and gap always, delay/loss/... objects only when set.
   */
  static void netem(ByteBuffer b, TcJsonOptions out, TcCore core) throws NetlinkException {
    if (b.limit() < NETEM_QOPT) {
      return; // "options size error"
    }
    long latency = u32(b, 0);
    long limit = u32(b, 4);
    long loss = u32(b, 8);
    long gap = u32(b, 12);
    long duplicate = u32(b, 16);
    long jitter = u32(b, 20);
    Attrs a = Attrs.parse(b, NETEM_QOPT, b.limit(), TCA_NETEM_MAX);
    if ((a.has(TCA_NETEM_CORR) && a.length(TCA_NETEM_CORR) < 12)
        || (a.has(TCA_NETEM_REORDER) && a.length(TCA_NETEM_REORDER) < 8)
        || (a.has(TCA_NETEM_CORRUPT) && a.length(TCA_NETEM_CORRUPT) < 8)
        || (a.has(TCA_NETEM_RATE) && a.length(TCA_NETEM_RATE) < 16)
        || (a.has(TCA_NETEM_ECN) && a.length(TCA_NETEM_ECN) < 4)
        || (a.has(TCA_NETEM_RATE64) && a.length(TCA_NETEM_RATE64) < 8)
        || (a.has(TCA_NETEM_SLOT) && a.length(TCA_NETEM_SLOT) < 40)) {
      return; // tc returns before printing anything
    }
    int corr = a.has(TCA_NETEM_CORR) ? a.offset(TCA_NETEM_CORR) : -1;
    out.integer("limit", limit);
    if (latency != 0) {
      out.open("delay")
          .floating("delay", core.tick2time(latency) / 1e6)
          .floating("jitter", core.tick2time(jitter) / 1e6)
          .floating("correlation", corr < 0 ? 0 : u32(b, corr) / U32_MAX)
          .close();
    }
    if (loss != 0) {
      out.open("loss-random")
          .floating("loss", loss / U32_MAX)
          .floating("correlation", corr < 0 ? 0 : u32(b, corr + 4) / U32_MAX)
          .close();
    }
    Attrs lossModel = a.nested(TCA_NETEM_LOSS, NETEM_LOSS_GE);
    if (lossModel != null && lossModel.has(NETEM_LOSS_GI)) {
      int g = lossModel.offset(NETEM_LOSS_GI);
      // struct tc_netem_gimodel { u32 p13, p31, p32, p14, p23; }
      out.open("loss-state")
          .floating("p13", u32(b, g) / U32_MAX)
          .floating("p31", u32(b, g + 4) / U32_MAX)
          .floating("p32", u32(b, g + 8) / U32_MAX)
          .floating("p23", u32(b, g + 16) / U32_MAX)
          .floating("p14", u32(b, g + 12) / U32_MAX)
          .close();
    }
    if (lossModel != null && lossModel.has(NETEM_LOSS_GE)) {
      int g = lossModel.offset(NETEM_LOSS_GE);
      // struct tc_netem_gemodel { u32 p, r, h, k1; }
      out.open("loss-gemodel")
          .floating("p", u32(b, g) / U32_MAX)
          .floating("r", u32(b, g + 4) / U32_MAX)
          .floating("1-h", (0xffffffffL - u32(b, g + 8)) / U32_MAX)
          .floating("1-k", u32(b, g + 12) / U32_MAX)
          .close();
    }
    if (duplicate != 0) {
      out.open("duplicate")
          .floating("duplicate", duplicate / U32_MAX)
          .floating("correlation", corr < 0 ? 0 : u32(b, corr + 8) / U32_MAX)
          .close();
    }
    probability(b, a, TCA_NETEM_REORDER, "reorder", out);
    probability(b, a, TCA_NETEM_CORRUPT, "corrupt", out);
    if (a.has(TCA_NETEM_RATE) && u32(b, a.offset(TCA_NETEM_RATE)) != 0) {
      // struct tc_netem_rate { u32 rate; s32 packet_overhead; u32 cell_size; s32 cell_overhead; }
      int r = a.offset(TCA_NETEM_RATE);
      Long rate64 = a.u64(TCA_NETEM_RATE64);
      out.open("rate")
          .unsigned64("rate", rate64 != null && rate64 != 0 ? rate64 : u32(b, r))
          .integer("packetoverhead", b.getInt(r + 4))
          .integer("cellsize", u32(b, r + 8))
          .integer("celloverhead", b.getInt(r + 12))
          .close();
    }
    if (a.has(TCA_NETEM_SLOT)) {
      // struct tc_netem_slot { s64 min_delay, max_delay; s32 max_packets, max_bytes;
      //                        s64 dist_delay, dist_jitter; } (ns)
      int s = a.offset(TCA_NETEM_SLOT);
      out.open("slot");
      if (b.getLong(s + 32) > 0) {
        out.floating("distribution", b.getLong(s + 24) / 1e9)
            .floating("jitter", b.getLong(s + 32) / 1e9);
      } else {
        out.floating("min-delay", b.getLong(s) / 1e9).floating("max-delay", b.getLong(s + 8) / 1e9);
      }
      out.integer("packets", b.getInt(s + 16)).integer("bytes", b.getInt(s + 20)).close();
    }
    out.bool("ecn", a.has(TCA_NETEM_ECN));
    out.integer("gap", gap);
  }

  /** struct tc_netem_reorder / tc_netem_corrupt { u32 probability, correlation; }. */
  private static void probability(ByteBuffer b, Attrs a, int type, String name, TcJsonOptions out) {
    if (!a.has(type) || u32(b, a.offset(type)) == 0) {
      return;
    }
    int o = a.offset(type);
    out.open(name)
        .floating(name, u32(b, o) / U32_MAX)
        .floating("correlation", u32(b, o + 4) / U32_MAX)
        .close();
  }

  /** fq_codel attributes: limit, flows, quantum, target/interval/ce_threshold (µs), ... */
  static void fqCodel(ByteBuffer b, TcJsonOptions out) throws NetlinkException {
    Attrs a = Attrs.parse(b, 0, b.limit(), 11);
    u32Option(a, 2, "limit", out);
    u32Option(a, 5, "flows", out);
    u32Option(a, 6, "quantum", out);
    u32Option(a, 1, "target", out);
    u32Option(a, 7, "ce_threshold", out);
    Integer selector = a.length(10) >= 1 ? a.u8(10) : null;
    Integer mask = a.length(11) >= 1 ? a.u8(11) : null;
    if ((selector != null && selector != 0) || (mask != null && mask != 0)) {
      out.integer("ce_threshold_selector", selector == null ? 0 : selector);
      out.integer("ce_threshold_mask", mask == null ? 0 : mask);
    }
    u32Option(a, 3, "interval", out);
    u32Option(a, 9, "memory_limit", out);
    if (a.length(4) >= 4 && a.u32(4) != 0) {
      out.bool("ecn", true);
    }
    if (a.length(8) >= 4 && a.u32(8) != 0) {
      out.integer("drop_batch", a.u32(8));
    }
  }

  /** fq attributes (TCA_FQ_PLIMIT = 1 ... TCA_FQ_HORIZON_DROP = 15). */
  static void fq(ByteBuffer b, TcJsonOptions out) throws NetlinkException {
    Attrs a = Attrs.parse(b, 0, b.limit(), 15);
    u32Option(a, 1, "limit", out);
    u32Option(a, 2, "flow_limit", out);
    if (a.length(8) >= 4) {
      out.integer("buckets", (1L << (a.u32(8) & 31)) & 0xffffffffL);
    }
    u32Option(a, 10, "orphan_mask", out);
    if (a.length(5) >= 4 && a.u32(5) == 0) {
      out.bool("pacing", false);
    }
    u32Option(a, 3, "quantum", out);
    u32Option(a, 4, "initial_quantum", out);
    if (a.length(7) >= 4 && a.u32(7) != 0xffffffffL) {
      out.integer("maxrate", a.u32(7));
    }
    if (a.length(6) >= 4 && a.u32(6) != 0) {
      out.integer("defrate", a.u32(6));
    }
    if (a.length(11) >= 4 && a.u32(11) != 0) {
      out.integer("low_rate_threshold", a.u32(11));
    }
    u32Option(a, 9, "refill_delay", out);
    if (a.length(12) >= 4 && a.u32(12) != 0xffffffffL) {
      out.integer("ce_threshold", a.u32(12));
    }
    u32Option(a, 13, "timer_slack", out);
    u32Option(a, 14, "horizon", out);
    // TCA_FQ_HORIZON_DROP prints a JSON null (horizon_cap / horizon_drop), which reads as absent.
  }

  private static void u32Option(Attrs a, int type, String key, TcJsonOptions out) {
    if (a.length(type) >= 4) {
      out.integer(key, a.u32(type));
    }
  }
}
