package dev.culprit.collector.source;

import dev.culprit.collector.platform.netlink.BoundedDump;
import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.LinkMessages;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.NlLink;
import dev.culprit.collector.platform.netlink.Rtnl;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.util.List;

/**
 * How much of one namespace the agent holds in a cycle. A large host has hundreds of interfaces (a
 * Kubernetes node one veth per pod) and a few qdiscs per interface (a multiqueue NIC one per
 * queue); any local user can make thousands of each in a namespace of their own ({@code unshare
 * -Urn}), and every entry costs the agent about a kilobyte per cycle. Past a limit the namespace's
 * source reports NO_DATA with the count instead: counted as the kernel's answer streams past, never
 * held in memory.
 */
public final class PerNamespaceLimits {

  /** Interfaces (links) of one namespace. */
  public static final int MAX_INTERFACES = 1_024;

  /** Addresses of one namespace: a few per interface (IPv4, IPv6 link-local and global). */
  public static final int MAX_ADDRESSES = 4 * MAX_INTERFACES;

  /** Qdiscs of one namespace: a root per interface plus one per queue of multiqueue NICs. */
  public static final int MAX_QDISCS = 4 * MAX_INTERFACES;

  /**
   * Routes of one namespace, every table and family: a host or a Kubernetes node has tens to
   * hundreds; past this the namespace is a router with a routing protocol's table, not what the
   * agent samples every cycle.
   */
  public static final int MAX_ROUTES = 16 * MAX_INTERFACES;

  /**
   * Neighbour entries (ARP and NDISC) of one namespace: the kernel's gc_thresh3 default is 1024.
   */
  public static final int MAX_NEIGHBOURS = 16 * MAX_INTERFACES;

  private PerNamespaceLimits() {}

  /**
   * Dumps {@code request} in a namespace, parsing and keeping the first {@code max} messages of
   * {@code type} in {@code into} and only counting the rest.
   *
   * @return whether the kernel said the list changed under the dump
   * @throws NoDataException past {@code max}, with the count (see {@link #check})
   */
  public static <T> boolean dump(
      NetnsHandles handles,
      DumpRequest request,
      int type,
      BoundedDump.Parser<T> parser,
      List<T> into,
      int max,
      String what)
      throws IOException, NoDataException {
    BoundedDump<T> dump = BoundedDump.of(type, max, parser, into);
    boolean interrupted = handles.dump(request, dump);
    check(dump.seen(), max, what);
    return interrupted;
  }

  /** A link dump ({@code request} LINKS or LINK_NAMES) of at most {@link #MAX_INTERFACES}. */
  public static boolean dumpLinks(NetnsHandles handles, DumpRequest request, List<NlLink> into)
      throws IOException, NoDataException {
    return dump(
        handles,
        request,
        Rtnl.RTM_NEWLINK,
        LinkMessages::parse,
        into,
        MAX_INTERFACES,
        "interfaces");
  }

  /**
   * NO_DATA, saying how many, when a namespace has more than {@code max} of {@code what}.
   *
   * @throws NoDataException "too large: COUNT WHAT, more than the MAX sampled per namespace"
   */
  public static void check(long count, int max, String what) throws NoDataException {
    if (count > max) {
      throw new NoDataException(
          "too large: " + count + " " + what + ", more than the " + max + " sampled per namespace");
    }
  }
}
