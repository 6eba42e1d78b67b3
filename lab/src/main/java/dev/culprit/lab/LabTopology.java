package dev.culprit.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Names and addresses of the lab: every namespace, veth and address derives from the client count
 * alone, so {@code down} can find everything again after a crash without trusting a half-written
 * state file.
 *
 * <p>The bridge lives in its own namespace ({@value #LAN_NS}), never in the host's, and the subnet
 * {@value #SUBNET} exists only inside the lab's namespaces: no route leads out, so lab traffic
 * never leaves the machine.
 *
 * @param clients how many client namespaces ({@code culprit-client-1} …)
 */
public record LabTopology(int clients) {

  /**
   * Each client holds at most one connection to each server at a time, so with at most 8 the fixed
   * listen backlog of busybox httpd (9) can never overflow on a healthy server: any listen overflow
   * in the lab is the injected one.
   */
  public static final int MAX_CLIENTS = 8;

  public static final String SUBNET = "10.253.0.0/24";
  public static final int PREFIX_LENGTH = 24;
  public static final String LAN_NS = "culprit-lan";
  public static final String WEB_NS = "culprit-web";
  public static final String QUIET_NS = "culprit-quiet";
  public static final String CLIENT_NS_PREFIX = "culprit-client-";
  public static final String BRIDGE = "cu-br0";
  public static final String WEB_ADDRESS = "10.253.0.10";
  public static final String QUIET_ADDRESS = "10.253.0.20";
  public static final int HTTP_PORT = 80;
  public static final int ECHO_PORT = 7007;

  /** Every namespace name the lab may ever create; used to find leftovers of a crashed lab. */
  public static final Pattern LAB_NS =
      Pattern.compile("culprit-(lan|web|quiet|client-[1-9][0-9]?)");

  /** Linux refuses interface names longer than IFNAMSIZ - 1. */
  static final int MAX_IFNAME = 15;

  public LabTopology {
    if (clients < 1 || clients > MAX_CLIENTS) {
      throw new LabException("--clients must be between 1 and " + MAX_CLIENTS + ", not " + clients);
    }
  }

  /**
   * One namespace attached to the lab bridge.
   *
   * @param netns the namespace name
   * @param device its end of the veth pair, inside {@code netns}
   * @param bridgePort the other end, a port of {@link #BRIDGE} in {@link #LAN_NS}
   * @param address its IPv4 address on the lab subnet
   */
  public record Endpoint(String netns, String device, String bridgePort, String address) {}

  public static Endpoint web() {
    return new Endpoint(WEB_NS, "cu-web", "cu-web-br", WEB_ADDRESS);
  }

  public static Endpoint quiet() {
    return new Endpoint(QUIET_NS, "cu-quiet", "cu-quiet-br", QUIET_ADDRESS);
  }

  /** Client {@code n} (1-based) at 10.253.0.(100 + n). */
  public static Endpoint client(int n) {
    if (n < 1 || n > MAX_CLIENTS) {
      throw new IllegalArgumentException("client " + n);
    }
    return new Endpoint(
        CLIENT_NS_PREFIX + n, "cu-c" + n, "cu-c" + n + "-br", "10.253.0." + (100 + n));
  }

  public List<Endpoint> clientEndpoints() {
    List<Endpoint> all = new ArrayList<>();
    for (int n = 1; n <= clients; n++) {
      all.add(client(n));
    }
    return all;
  }

  /** Server, healthy neighbour, then the clients. */
  public List<Endpoint> endpoints() {
    List<Endpoint> all = new ArrayList<>();
    all.add(web());
    all.add(quiet());
    all.addAll(clientEndpoints());
    return all;
  }

  /** The bridge namespace first, because the veths are created from inside it. */
  public List<String> namespaces() {
    List<String> all = new ArrayList<>();
    all.add(LAN_NS);
    endpoints().forEach(e -> all.add(e.netns()));
    return all;
  }
}
