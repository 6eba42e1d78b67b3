package dev.culprit.app;

import dev.culprit.collector.runtime.MetricsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** {@code --metrics-address HOST:PORT} or {@code none}. */
final class MetricsAddress {

  private MetricsAddress() {}

  /**
   * Serves {@code body} at the address; null for {@code none} or when the address cannot be bound
   * (said on stderr).
   */
  static MetricsServer serve(String address, Supplier<String> body) {
    if (address == null || address.equalsIgnoreCase("none")) {
      return null;
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new UserException("--metrics-address " + address + ": expected HOST:PORT or none", 2);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UserException("--metrics-address " + address + ": the port is not a number", 2);
    }
    try {
      return new MetricsServer(new InetSocketAddress(host, port), body);
    } catch (IOException e) {
      // Metrics are not worth refusing to collect or process: a second culprit on the host (or a
      // test run beside a real one) finds the default port taken and works without them.
      System.err.println(
          "culprit: no metrics endpoint, --metrics-address " + address + ": " + e.getMessage());
      return null;
    }
  }

  /** "127.0.0.1:9464" of a running server. */
  static String text(MetricsServer server) {
    InetSocketAddress a = server.address();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
