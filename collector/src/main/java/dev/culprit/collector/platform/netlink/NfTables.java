package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an nf_tables table dump (NFT_MSG_GETTABLE over NETLINK_NETFILTER): the tables of a
 * namespace — the same list {@code nft -j list ruleset} starts with, without forking nft. The
 * firewall source uses it to fork only the listings that have something to list.
 *
 * <pre>
 * nlmsghdr (type NFNL_SUBSYS_NFTABLES &lt;&lt; 8 | NFT_MSG_NEWTABLE)
 * struct nfgenmsg { u8 nfgen_family; u8 version; be16 res_id; }
 * NFTA_TABLE_NAME (1) string, NFTA_TABLE_FLAGS, NFTA_TABLE_USE, NFTA_TABLE_HANDLE, ...
 * </pre>
 */
public final class NfTables {

  static final int SUBSYS_NFTABLES = 10;
  static final int GETTABLE = SUBSYS_NFTABLES << 8 | 1;
  static final int NEWTABLE = SUBSYS_NFTABLES << 8;
  private static final int NFTA_TABLE_NAME = 1;

  private NfTables() {}

  /**
   * One nf_tables table.
   *
   * @param family as nft names it: ip, ip6, inet, arp, bridge, netdev
   * @param name the table name
   */
  public record Table(String family, String name) {}

  /** A handler that appends every table of a dump to {@code into}. */
  public static NlMessages.Handler collectInto(List<Table> into) {
    return (type, payload) -> {
      if (type == NEWTABLE) {
        into.add(parse(payload));
      }
    };
  }

  /** The tables of a captured dump. */
  public static List<Table> tables(ByteBuffer dump) throws NetlinkException {
    List<Table> tables = new ArrayList<>();
    NlMessages.walk(dump, -1, collectInto(tables));
    return tables;
  }

  /** One NEWTABLE payload. */
  static Table parse(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < 4) {
      throw new NetlinkException("NFT_MSG_NEWTABLE of " + payload.limit() + " bytes");
    }
    String name = Attrs.parse(payload, 4, payload.limit(), NFTA_TABLE_NAME).string(NFTA_TABLE_NAME);
    return new Table(family(payload.get(0) & 0xff), name == null ? "" : name);
  }

  /** nft's name of an NFPROTO_* family. */
  static String family(int nfproto) {
    return switch (nfproto) {
      case 1 -> "inet";
      case 2 -> "ip";
      case 3 -> "arp";
      case 5 -> "netdev";
      case 7 -> "bridge";
      case 10 -> "ip6";
      default -> "family-" + nfproto;
    };
  }
}
