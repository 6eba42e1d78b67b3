package dev.culprit.collector.platform.netlink;

/** rtnetlink numbers (include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h, pkt_sched.h). */
public final class Rtnl {

  public static final int RTM_NEWLINK = 16;
  public static final int RTM_GETLINK = 18;
  public static final int RTM_NEWADDR = 20;
  public static final int RTM_GETADDR = 22;
  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_GETROUTE = 26;
  public static final int RTM_NEWNEIGH = 28;
  public static final int RTM_GETNEIGH = 30;
  public static final int RTM_NEWQDISC = 36;
  public static final int RTM_GETQDISC = 38;

  public static final int IFLA_ADDRESS = 1;
  public static final int IFLA_IFNAME = 3;
  public static final int IFLA_MTU = 4;
  public static final int IFLA_LINK = 5;
  public static final int IFLA_STATS = 7;
  public static final int IFLA_OPERSTATE = 16;
  public static final int IFLA_LINKINFO = 18;
  public static final int IFLA_STATS64 = 23;
  public static final int IFLA_EXT_MASK = 29;
  public static final int IFLA_LINK_NETNSID = 37;
  public static final int IFLA_MAX_USED = 37;
  public static final int IFLA_INFO_KIND = 1;

  public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

  public static final int IFA_ADDRESS = 1;
  public static final int IFA_LOCAL = 2;
  public static final int IFA_MAX_USED = 2;

  public static final int TCA_KIND = 1;
  public static final int TCA_OPTIONS = 2;
  public static final int TCA_STATS = 3;
  public static final int TCA_STATS2 = 7;
  public static final int TCA_MAX_USED = 7;
  public static final int TCA_STATS_BASIC = 1;
  public static final int TCA_STATS_QUEUE = 3;
  public static final int TCA_STATS_PKT64 = 8;
  public static final int TCA_STATS_MAX_USED = 8;

  public static final int RTA_DST = 1;
  public static final int RTA_OIF = 4;
  public static final int RTA_GATEWAY = 5;
  public static final int RTA_TABLE = 15;
  public static final int RTA_MAX_USED = 15;

  /** rtm_flags: a cached clone (IPv6 exceptions), not a configured route. */
  public static final int RTM_F_CLONED = 0x200;

  public static final int NDA_DST = 1;
  public static final int NDA_CACHEINFO = 3;
  public static final int NDA_PROBES = 4;
  public static final int NDA_MAX_USED = 4;
  public static final int NUD_INCOMPLETE = 0x01;
  public static final int NUD_FAILED = 0x20;

  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;

  private Rtnl() {}
}
