package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Parses RTM_NEWADDR messages (a reply to {@link DumpRequest#ADDRESSES}).
 *
 * <pre>
 * struct ifaddrmsg { u8 ifa_family; u8 ifa_prefixlen; u8 ifa_flags; u8 ifa_scope; u32 ifa_index; }
 * rtattrs: IFA_ADDRESS (peer on point-to-point, else the address), IFA_LOCAL (IPv4 only), ...
 * </pre>
 */
public final class AddressMessages {

  static final int IFADDRMSG = 8;

  private AddressMessages() {}

  /** A handler that appends every address in a dump to {@code into}. */
  public static NlMessages.Handler collectInto(List<NlAddress> into) {
    return (type, payload) -> {
      if (type == Rtnl.RTM_NEWADDR) {
        NlAddress address = parse(payload);
        if (address != null) {
          into.add(address);
        }
      }
    };
  }

  /** One RTM_NEWADDR payload; null for a family without an IP address. */
  public static NlAddress parse(ByteBuffer payload) throws NetlinkException {
    if (payload.limit() < IFADDRMSG) {
      throw new NetlinkException("RTM_NEWADDR of " + payload.limit() + " bytes, no ifaddrmsg");
    }
    int family = payload.get(0) & 0xff;
    int prefix = payload.get(1) & 0xff;
    int ifindex = payload.getInt(4);
    Attrs a = Attrs.parse(payload, IFADDRMSG, payload.limit(), Rtnl.IFA_MAX_USED);
    // iproute2 print_addrinfo: "local" is IFA_LOCAL, else IFA_ADDRESS.
    byte[] bytes = a.has(Rtnl.IFA_LOCAL) ? a.bytes(Rtnl.IFA_LOCAL) : a.bytes(Rtnl.IFA_ADDRESS);
    if (bytes == null) {
      return null;
    }
    int expected = family == Rtnl.AF_INET ? 4 : family == Rtnl.AF_INET6 ? 16 : -1;
    if (expected < 0) {
      return null;
    }
    if (bytes.length != expected) {
      throw new NetlinkException(
          "RTM_NEWADDR family " + family + " with a " + bytes.length + "-byte address");
    }
    return new NlAddress(ifindex, family, bytes, prefix);
  }
}
