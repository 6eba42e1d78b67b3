package dev.culprit.collector.platform.netlink;

/**
 * One RTM_NEWROUTE message, as much of it as says where traffic goes.
 *
 * @param family AF_INET (2) or AF_INET6 (10)
 * @param type {@code rtm_type}: 1 unicast, 6 blackhole, 7 unreachable, 8 prohibit, 9 throw, ...
 * @param table RTA_TABLE, else {@code rtm_table}
 * @param destination RTA_DST (4 or 16 bytes), null for the default route
 * @param prefixLength {@code rtm_dst_len}
 * @param gateway RTA_GATEWAY, or null
 * @param oif RTA_OIF, or null
 */
public record NlRoute(
    int family,
    int type,
    long table,
    byte[] destination,
    int prefixLength,
    byte[] gateway,
    Integer oif) {

  public static final int RTN_UNICAST = 1;
  public static final int RTN_BLACKHOLE = 6;
  public static final int RTN_UNREACHABLE = 7;
  public static final int RTN_PROHIBIT = 8;
  public static final int RTN_THROW = 9;

  /** Whether the route refuses the traffic it matches rather than forwarding it. */
  public boolean refuses() {
    return refuses(type);
  }

  /** Whether a route of {@code type} refuses the traffic it matches. */
  public static boolean refuses(int type) {
    return type >= RTN_BLACKHOLE && type <= RTN_THROW;
  }

  /** A unicast route to everything (0.0.0.0/0, ::/0). */
  public boolean isDefault() {
    return type == RTN_UNICAST && prefixLength == 0;
  }

  /** ip route's name for the type. */
  public String typeName() {
    return switch (type) {
      case RTN_UNICAST -> "unicast";
      case RTN_BLACKHOLE -> "blackhole";
      case RTN_UNREACHABLE -> "unreachable";
      case RTN_PROHIBIT -> "prohibit";
      case RTN_THROW -> "throw";
      default -> "type" + type;
    };
  }
}
