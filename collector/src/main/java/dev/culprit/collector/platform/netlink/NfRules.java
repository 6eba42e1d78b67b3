package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an nf_tables rule dump (NFT_MSG_GETRULE with NLM_F_DUMP over NETLINK_NETFILTER) and the
 * ruleset generation (NFT_MSG_GETGEN): what the firewall source needs every cycle — each rule's
 * place, counter, verdict and random-drop share — without forking {@code iptables-nft-save} or
 * {@code nft}. iptables-nft keeps its rules in nf_tables too, with its matches and targets as xt
 * {@code match}/{@code target} expressions and a {@code counter} expression before the target.
 *
 * <pre>
 * nlmsghdr (type NFNL_SUBSYS_NFTABLES &lt;&lt; 8 | NFT_MSG_NEWRULE)
 * struct nfgenmsg { u8 nfgen_family; u8 version; be16 res_id; }
 * NFTA_RULE_TABLE (1) string, NFTA_RULE_CHAIN (2) string, NFTA_RULE_HANDLE (3) be64,
 * NFTA_RULE_EXPRESSIONS (4) nested: NFTA_LIST_ELEM (1) nested, one per expression, in order:
 *   NFTA_EXPR_NAME (1) string ("counter", "immediate", "match", "target", ...), NFTA_EXPR_DATA (2)
 *     counter:   NFTA_COUNTER_BYTES (1) be64, NFTA_COUNTER_PACKETS (2) be64
 *     immediate: NFTA_IMMEDIATE_DREG (1) be32 (0 = the verdict register), NFTA_IMMEDIATE_DATA (2)
 *                nested NFTA_DATA_VERDICT (2) nested NFTA_VERDICT_CODE (1) be32, NFTA_VERDICT_CHAIN
 *     match:     NFTA_MATCH_NAME (1) string, NFTA_MATCH_REV (2), NFTA_MATCH_INFO (3) the xt struct
 *     target:    NFTA_TARGET_NAME (1) string
 *
 * nlmsghdr (NFT_MSG_NEWGEN) nfgenmsg, NFTA_GEN_ID (1) be32, NFTA_GEN_PROC_PID, NFTA_GEN_PROC_NAME
 * </pre>
 *
 * <p>nf_tables attributes are big-endian; the xt structs inside NFTA_MATCH_INFO are the kernel's
 * own layout in host order.
 */
public final class NfRules {

  static final int GETRULE = NfTables.SUBSYS_NFTABLES << 8 | 7;
  static final int NEWRULE = NfTables.SUBSYS_NFTABLES << 8 | 6;
  static final int GETGEN = NfTables.SUBSYS_NFTABLES << 8 | 16;
  static final int NEWGEN = NfTables.SUBSYS_NFTABLES << 8 | 15;

  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_RULE_CHAIN = 2;
  private static final int NFTA_RULE_HANDLE = 3;
  private static final int NFTA_RULE_EXPRESSIONS = 4;
  private static final int NFTA_LIST_ELEM = 1;
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  private static final int NFTA_COUNTER_BYTES = 1;
  private static final int NFTA_COUNTER_PACKETS = 2;
  private static final int NFTA_IMMEDIATE_DREG = 1;
  private static final int NFTA_IMMEDIATE_DATA = 2;
  private static final int NFTA_DATA_VERDICT = 2;
  private static final int NFTA_VERDICT_CODE = 1;
  private static final int NFTA_VERDICT_CHAIN = 2;
  private static final int NFTA_MATCH_NAME = 1;
  private static final int NFTA_MATCH_INFO = 3;
  private static final int NFTA_TARGET_NAME = 1;
  private static final int NFTA_GEN_ID = 1;
  private static final int NFT_REG_VERDICT = 0;

  private NfRules() {}

  /**
   * One rule as the kernel holds it.
   *
   * @param family as nft names it: ip, ip6, inet, ...
   * @param handle the rule's handle: stable while the rule exists, unique in its table
   * @param counter the rule's last {@code counter} expression, or null when it has none
   * @param verdict what the rule does, in iptables' words: DROP, ACCEPT, RETURN, QUEUE, CONTINUE,
   *     the chain of a jump/goto, an xt target's name (REJECT, LOG ...), REJECT for nft's reject;
   *     null when the rule has no verdict
   * @param statistic the xt {@code statistic} match of an iptables rule, or null
   */
  public record Rule(
      String family,
      String table,
      String chain,
      long handle,
      Counter counter,
      String verdict,
      Statistic statistic) {}

  /** A counter expression's values. */
  public record Counter(long packets, long bytes) {}

  /**
   * The head of {@code struct xt_statistic_info} (include/uapi/linux/netfilter/xt_statistic.h):
   * {@code u16 mode; u16 flags; u32 probability} — the probability a 31-bit fraction, as
   * iptables-save prints it divided by 2^31.
   *
   * @param mode 0 random, 1 nth
   */
  public record Statistic(int mode, long probability) {

    /** The mode as iptables names it. */
    public String modeName() {
      return switch (mode) {
        case 0 -> "random";
        case 1 -> "nth";
        default -> "mode-" + mode;
      };
    }
  }

  /** A handler that appends every rule of a dump to {@code into}, in dump (= chain) order. */
  public static NlMessages.Handler collectInto(List<Rule> into) {
    return (type, payload) -> {
      if (type == NEWRULE) {
        into.add(parse(payload));
      }
    };
  }

  /** A handler that counts the rules of a dump in {@code into[0]}, parsing none of them. */
  public static NlMessages.Handler countInto(long[] into) {
    return (type, payload) -> {
      if (type == NEWRULE) {
        into[0]++;
      }
    };
  }

  /** A handler that stores the generation id of an NFT_MSG_NEWGEN reply in {@code into[0]}. */
  public static NlMessages.Handler generationInto(long[] into) {
    return (type, payload) -> {
      if (type == NEWGEN) {
        into[0] = generation(payload);
      }
    };
  }

  /** The rules of a captured dump. */
  public static List<Rule> rules(ByteBuffer dump) throws NetlinkException {
    List<Rule> rules = new ArrayList<>();
    NlMessages.walk(dump, -1, collectInto(rules));
    return rules;
  }

  /** The generation of a captured NFT_MSG_GETGEN reply, or -1 when it holds none. */
  public static long capturedGeneration(ByteBuffer reply) throws NetlinkException {
    long[] gen = {-1};
    NlMessages.walk(reply, -1, generationInto(gen));
    return gen[0];
  }

  static long generation(ByteBuffer payload) throws NetlinkException {
    Attrs a = Attrs.parse(payload, 4, payload.limit(), NFTA_GEN_ID);
    if (a.length(NFTA_GEN_ID) < 4) {
      throw new NetlinkException("NFT_MSG_NEWGEN without NFTA_GEN_ID");
    }
    return be32(a, NFTA_GEN_ID);
  }

  /** One NEWRULE payload. */
  static Rule parse(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < 4) {
      throw new NetlinkException("NFT_MSG_NEWRULE of " + payload.limit() + " bytes");
    }
    Attrs a = Attrs.parse(payload, 4, payload.limit(), NFTA_RULE_EXPRESSIONS);
    if (a.length(NFTA_RULE_HANDLE) < 8) {
      throw new NetlinkException("NFT_MSG_NEWRULE without NFTA_RULE_HANDLE");
    }
    Counter counter = null;
    String verdict = null;
    Statistic statistic = null;
    if (a.has(NFTA_RULE_EXPRESSIONS)) {
      // A list: every element has the same type, so Attrs (first of a type wins) cannot index it.
      int pos = a.offset(NFTA_RULE_EXPRESSIONS);
      int end = pos + a.length(NFTA_RULE_EXPRESSIONS);
      while (pos + 4 <= end) {
        int len = payload.getShort(pos) & 0xffff;
        if (len < 4 || pos + len > end) {
          throw new NetlinkException("malformed expression list at byte " + pos);
        }
        if ((payload.getShort(pos + 2) & 0x3fff) == NFTA_LIST_ELEM) {
          Attrs expr = Attrs.parse(payload, pos + 4, pos + len, NFTA_EXPR_DATA);
          // Names compared in place: other expressions (cmp, payload, meta, lookup ...) only
          // select packets, and are neither copied nor parsed further.
          if (expr.stringEquals(NFTA_EXPR_NAME, "counter")) {
            Attrs data = data(expr);
            counter = data == null ? counter : counter(data);
          } else if (expr.stringEquals(NFTA_EXPR_NAME, "immediate")) {
            Attrs data = data(expr);
            verdict = data == null ? verdict : verdict(data, verdict);
          } else if (expr.stringEquals(NFTA_EXPR_NAME, "target")) {
            Attrs data = data(expr);
            verdict = data == null ? verdict : data.string(NFTA_TARGET_NAME);
          } else if (expr.stringEquals(NFTA_EXPR_NAME, "match")) {
            Attrs data = data(expr);
            statistic = data == null ? statistic : statistic(data, statistic);
          } else if (expr.stringEquals(NFTA_EXPR_NAME, "reject")) {
            verdict = "REJECT";
          } else if (expr.stringEquals(NFTA_EXPR_NAME, "queue")) {
            verdict = "QUEUE";
          }
        }
        pos += NlMessages.align(len);
      }
    }
    return new Rule(
        NfTables.family(payload.get(0) & 0xff),
        nonNull(a.string(NFTA_RULE_TABLE)),
        nonNull(a.string(NFTA_RULE_CHAIN)),
        be64(a, NFTA_RULE_HANDLE),
        counter,
        verdict,
        statistic);
  }

  private static Attrs data(Attrs expr) throws NetlinkException {
    return expr.has(NFTA_EXPR_DATA) ? expr.nested(NFTA_EXPR_DATA, 3) : null;
  }

  private static Counter counter(Attrs data) throws NetlinkException {
    return new Counter(be64(data, NFTA_COUNTER_PACKETS), be64(data, NFTA_COUNTER_BYTES));
  }

  private static String verdict(Attrs immediate, String before) throws NetlinkException {
    Long dreg =
        immediate.length(NFTA_IMMEDIATE_DREG) >= 4 ? be32(immediate, NFTA_IMMEDIATE_DREG) : null;
    Attrs data = immediate.nested(NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT);
    Attrs v = data == null ? null : data.nested(NFTA_DATA_VERDICT, NFTA_VERDICT_CHAIN);
    if (dreg == null || dreg != NFT_REG_VERDICT || v == null || v.length(NFTA_VERDICT_CODE) < 4) {
      return before; // an immediate that loads a data register, not a verdict
    }
    int code = (int) be32(v, NFTA_VERDICT_CODE);
    return switch (code) {
      case 0 -> "DROP"; // NF_DROP
      case 1 -> "ACCEPT"; // NF_ACCEPT
      case 3 -> "QUEUE"; // NF_QUEUE
      case -1 -> "CONTINUE"; // NFT_CONTINUE
      case -3, -4 -> v.string(NFTA_VERDICT_CHAIN); // NFT_JUMP, NFT_GOTO
      case -5 -> "RETURN"; // NFT_RETURN
      default -> "verdict-" + code;
    };
  }

  private static Statistic statistic(Attrs match, Statistic before) {
    if (!match.stringEquals(NFTA_MATCH_NAME, "statistic") || match.length(NFTA_MATCH_INFO) < 8) {
      return before;
    }
    ByteBuffer b = match.buffer();
    int at = match.offset(NFTA_MATCH_INFO);
    // host order: the buffer's, as the kernel copied the struct from iptables
    return new Statistic(b.getShort(at) & 0xffff, b.getInt(at + 4) & 0xffffffffL);
  }

  private static long be64(Attrs a, int type) throws NetlinkException {
    if (a.length(type) < 8) {
      throw new NetlinkException("nf_tables attribute " + type + " shorter than 8 bytes");
    }
    long v = a.buffer().getLong(a.offset(type));
    return a.buffer().order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
  }

  // In the buffer's order and swapped when that is not big-endian: a duplicate() per counter
  // was a fifth of what a rule dump allocated.
  private static long be32(Attrs a, int type) {
    int v = a.buffer().getInt(a.offset(type));
    return (a.buffer().order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v)) & 0xffffffffL;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
