package dev.culprit.collector.source.probe;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One probe target: where to connect and from which network namespace.
 *
 * <p>Written {@code [NETNS/]ADDRESS:PORT}: {@code 10.0.0.2:80}, {@code web-1/10.0.0.2:80}, {@code
 * [fd00::2]:443}, {@code web-1/[fd00::2]:443}. The address must be a literal IP (no name lookups: a
 * probe measures the path, not DNS). NETNS is the label of the namespace the probe is sent
 * <em>from</em>; without it, the host's own (label "").
 *
 * @param netns label of the namespace the probes leave from; "" for the host's own
 * @param address the target IP
 * @param port the target TCP port, 1–65535
 */
public record ProbeTarget(String netns, InetAddress address, int port) {

  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  /**
   * Hex digits, colons and an embedded IPv4 tail. No zone id (fe80::1%eth0): the interface name
   * would be looked up in the collector's namespace, not the probing one.
   */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  public ProbeTarget {
    Objects.requireNonNull(netns, "netns");
    Objects.requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1-65535");
    }
  }

  /**
   * Parses {@code [NETNS/]ADDRESS:PORT}.
   *
   * @throws IllegalArgumentException naming the bad value and what is wrong with it
   */
  public static ProbeTarget parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String s = spec.strip();
    String netns = "";
    // A label never holds the address part, and addresses hold no '/': the last one splits them.
    int slash = s.lastIndexOf('/');
    if (slash >= 0) {
      netns = s.substring(0, slash);
      s = s.substring(slash + 1);
      if (netns.isBlank()) {
        throw bad(
            spec, "the namespace before '/' is empty (leave out 'NETNS/' for the host's own)");
      }
    }
    String host;
    String portText;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw bad(spec, "an IPv6 address opened with '[' has no ']'");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.startsWith(":")) {
        throw bad(spec, "no ':PORT' after the address");
      }
      portText = rest.substring(1);
      if (host.indexOf('%') >= 0) {
        throw bad(spec, "zone ids ('%') are not supported");
      }
      if (!IPV6.matcher(host).matches()) {
        throw bad(spec, "'" + host + "' is not an IPv6 address");
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0) {
        throw bad(spec, "no ':PORT' after the address");
      }
      host = s.substring(0, colon);
      portText = s.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw bad(spec, "an IPv6 address goes in brackets: [ADDRESS]:PORT");
      }
      if (!isIpv4(host)) {
        throw bad(spec, "'" + host + "' is not an IPv4 address (names are not looked up)");
      }
    }
    int port = parsePort(spec, portText);
    try {
      // A literal: InetAddress parses it without any lookup.
      return new ProbeTarget(netns, InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw bad(spec, "'" + host + "' is not an IP address");
    }
  }

  /** The address to connect to. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The socket family that reaches the address. */
  public ProtocolFamily family() {
    return address instanceof Inet6Address
        ? StandardProtocolFamily.INET6
        : StandardProtocolFamily.INET;
  }

  /** The spec form, parseable again. */
  @Override
  public String toString() {
    String host =
        address instanceof Inet6Address
            ? "[" + address.getHostAddress() + "]"
            : address.getHostAddress();
    return (netns.isEmpty() ? "" : netns + "/") + host + ":" + port;
  }

  private static boolean isIpv4(String host) {
    Matcher m = IPV4.matcher(host);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  private static int parsePort(String spec, String text) {
    if (text.isEmpty()) {
      throw bad(spec, "the port after ':' is empty");
    }
    if (!text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) {
      throw bad(spec, "port '" + text + "' is not a number from 1 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw bad(spec, "port " + port + " is outside 1-65535");
    }
    return port;
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException(
        "bad probe target '" + spec + "': " + why + "; expected [NETNS/]ADDRESS:PORT");
  }
}
