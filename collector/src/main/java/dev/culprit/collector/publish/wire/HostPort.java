package dev.culprit.collector.publish.wire;

/** A {@code host:port} broker address ({@code [v6-address]:port} for IPv6 literals). */
record HostPort(String host, int port) {

  /**
   * @throws IllegalArgumentException naming the address when it has no valid port
   */
  static HostPort parse(String address) {
    String a = address.trim();
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException("not host:port: '" + address + "'");
    }
    String host = a.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not host:port: '" + address + "'");
    }
    if (port < 1 || port > 65535 || host.isEmpty()) {
      throw new IllegalArgumentException("not host:port: '" + address + "'");
    }
    return new HostPort(host, port);
  }
}
