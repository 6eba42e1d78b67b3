package dev.culprit.collector.source.iface;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Formats addresses as {@code ip} prints them (glibc {@code inet_ntop}): IPv6 compressed (RFC
 * 5952), with an embedded IPv4 address in dotted form for {@code ::ffff:a.b.c.d} and {@code
 * ::a.b.c.d}; no scope suffix.
 */
public final class AddressFormat {

  private AddressFormat() {}

  static String cidr(InetAddress address, int prefixLength) {
    return text(address) + "/" + prefixLength;
  }

  static String text(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    return text(address.getAddress());
  }

  /** A 4-byte (IPv4) or 16-byte (IPv6) address in network order. */
  public static String text(byte[] b) {
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    if (b.length != 16) {
      throw new IllegalArgumentException("not an IP address: " + b.length + " bytes");
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // RFC 5952: the longest run (first on a tie) of two or more zero groups becomes "::".
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    // glibc inet_ntop6: IPv4-compatible (6 zero groups) and IPv4-mapped (5 zero groups, ffff).
    boolean embedsV4 =
        bestStart == 0 && (bestLength == 6 || (bestLength == 5 && groups[5] == 0xffff));
    StringBuilder out = new StringBuilder(45);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (embedsV4 && i == 6) {
        if (out.charAt(out.length() - 1) != ':') {
          out.append(':');
        }
        out.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.');
        out.append(b[14] & 0xff).append('.').append(b[15] & 0xff);
        break;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
