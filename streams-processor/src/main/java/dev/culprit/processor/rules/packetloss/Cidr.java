package dev.culprit.processor.rules.packetloss;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An interface address in CIDR form ({@code 172.17.0.2/16}, {@code fd00::2/64}), for telling
 * whether two interfaces sit on the same IP network.
 *
 * @param address the address bytes (4 or 16)
 * @param prefix the prefix length
 */
record Cidr(byte[] address, int prefix) {

  // Only literal addresses: InetAddress would resolve anything else through DNS.
  private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

  /** Parses "addr/len" (a bare address is a host route); empty for anything else. */
  static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.strip().split("/", 2);
    String literal =
        parts[0].contains("%") ? parts[0].substring(0, parts[0].indexOf('%')) : parts[0];
    if (literal.isEmpty() || !LITERAL.matcher(literal).matches()) {
      return Optional.empty();
    }
    try {
      byte[] bytes = InetAddress.getByName(literal).getAddress();
      int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bytes.length * 8;
      if (prefix < 0 || prefix > bytes.length * 8) {
        return Optional.empty();
      }
      return Optional.of(new Cidr(bytes, prefix));
    } catch (UnknownHostException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the address can identify a shared network: not loopback and not link-local (every IPv6
   * interface has an fe80::/64 address, which says nothing about what it is connected to).
   */
  boolean isRoutable() {
    if (address.length == 4) {
      int first = address[0] & 0xff;
      int second = address[1] & 0xff;
      return first != 127 && !(first == 169 && second == 254) && prefix < 32;
    }
    boolean loopback = true;
    for (int i = 0; i < 15; i++) {
      loopback &= address[i] == 0;
    }
    loopback &= address[15] == 1;
    boolean linkLocal = (address[0] & 0xff) == 0xfe && (address[1] & 0xc0) == 0x80;
    return !loopback && !linkLocal && prefix < 128;
  }

  /** Whether {@code other}'s address lies in this prefix (same family). */
  boolean contains(Cidr other) {
    if (address.length != other.address.length || other.prefix < prefix) {
      return false;
    }
    return new Cidr(other.address, prefix).sameNetwork(this);
  }

  /** Same family, same prefix length, same network bits. */
  boolean sameNetwork(Cidr other) {
    if (address.length != other.address.length || prefix != other.prefix) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != other.address[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (other.address[full] & mask);
  }

  /** The network in CIDR form, for evidence: 172.17.0.0/16. */
  String network() {
    byte[] net = address.clone();
    for (int bit = prefix; bit < net.length * 8; bit++) {
      net[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(net).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // Cannot happen: 4 or 16 bytes.
    }
  }
}
