package dev.culprit.processor.probe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP addresses as keys of the address index: one canonical text per address, and only addresses
 * that can name one namespace.
 *
 * <p>Loopback (127.0.0.0/8, ::1) is in every namespace, link-local (169.254.0.0/16, fe80::/10) is
 * only unique on its link and every IPv6 interface has one, and the unspecified and multicast
 * addresses are no interface's own: none of them can tell which namespace a probe reached, so they
 * are never indexed nor looked up.
 */
public final class Addresses {

  // Only literal addresses: InetAddress would resolve anything else (even "cafe") through DNS.
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private Addresses() {}

  /**
   * The canonical text of an address ({@code 10.0.0.1}, {@code fd00:0:0:0:0:0:0:2}) given as an
   * interface address in CIDR form ({@code 10.0.0.1/24}, {@code fd00::2/64}), a bare address or an
   * IPv4-mapped IPv6 address; empty when it is not a literal address or cannot name one namespace.
   */
  public static Optional<String> canonical(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String literal = text.strip();
    int slash = literal.indexOf('/');
    if (slash >= 0) {
      literal = literal.substring(0, slash);
    }
    int zone = literal.indexOf('%');
    if (zone >= 0) {
      literal = literal.substring(0, zone);
    }
    boolean v4 = IPV4.matcher(literal).matches();
    if (!v4 && !IPV6.matcher(literal).matches()) {
      return Optional.empty();
    }
    // 999.1.1.1 looks like a literal but is not one: the JDK would resolve it as a host name, and
    // a stream thread must never wait for DNS.
    if (v4) {
      for (String octet : literal.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return Optional.empty();
        }
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    if (address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return Optional.empty();
    }
    return Optional.of(address.getHostAddress());
  }
}
