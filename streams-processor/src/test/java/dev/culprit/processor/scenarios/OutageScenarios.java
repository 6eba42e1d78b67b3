package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.T0;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quiet total outages: a client cut off entirely loses only a few packets a window (TCP backs off),
 * named by persistence and by the client's own failing attempts, at 5 s and 10 s windows alike; and
 * the deliberate policy that looks the same but hurts no sampled client.
 *
 * <p>The lab's fleet on one host: server culprit-web (10.253.0.10), clients culprit-client-1
 * (10.253.0.21) and culprit-client-2 (10.253.0.22). A cut-off client's SYNs are dropped about once
 * a second; the other client keeps the server busy (400 packets a second).
 */
final class OutageScenarios {

  private static final String HOST = "lab-1";
  private static final String WEB = "culprit-web";
  private static final String CLIENT_1 = "culprit-client-1";
  private static final String CLIENT_2 = "culprit-client-2";

  /** Samples every 5 s for a minute: past the 30 s a quiet outage must last at either size. */
  private static final long PERIOD_MS = 5_000;

  private static final int CYCLES = 13;

  private OutageScenarios() {}

  static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    for (int seconds : new int[] {5, 10}) {
      all.add(
          fleet(
              "rp-filter-cutting-off-one-client-at-" + seconds + "s-windows",
              "strict rp_filter in the server drops every packet of client 1 (one a second under"
                  + " TCP's backoff, below the 10-packet bar) while client 1 retransmits SYNs in"
                  + " every window: REVERSE_PATH_FILTER once it has lasted 30 s",
              seconds,
              true,
              null,
              true));
      all.add(
          fleet(
              "firewall-drop-of-one-client-cut-off-at-" + seconds + "s-windows",
              "a DROP of client 1's address catches one packet a second, a tiny share of INPUT"
                  + " while client 2 keeps the server busy, but every packet it matches is"
                  + " dropped and client 1 retransmits SYNs in every window: FIREWALL_DROP once it"
                  + " has lasted 30 s",
              seconds,
              false,
              "10.253.0.21",
              true));
    }
    all.add(
        fleet(
            "firewall-drop-of-a-scanner-outside-the-fleet-is-quiet",
            "a DROP of an address no sampled namespace has (a scanner) catching one packet a"
                + " second for a minute, no client retransmitting SYNs: the firewall doing its job",
            5,
            false,
            "198.51.100.7",
            false));
    all.add(
        fleet(
            "firewall-drop-of-a-fleet-address-whose-owner-is-healthy-is-quiet",
            "a DROP of client 1's address for a minute while client 1 shows no SYN retransmits"
                + " (it is not talking to the server): deliberate policy, no one is cut off",
            5,
            false,
            "10.253.0.21",
            false));
    all.add(
        fleet(
            "rp-filter-persistent-trickle-without-a-failing-client-is-quiet",
            "rp_filter dropping a spoofed packet a second for a minute while no sampled namespace"
                + " retransmits SYNs: the filter doing its job",
            5,
            true,
            null,
            false));
    return all;
  }

  /**
   * The lab host for a minute: the server drops one packet a second by rp_filter ({@code rp}) or by
   * a DROP of {@code source}; client 1 retransmits SYNs when {@code cutOff}.
   */
  private static Scenario fleet(
      String name, String why, int windowSeconds, boolean rp, String source, boolean cutOff) {
    return new Scenario(
        name,
        why,
        h -> {
          SampleFactory f = new SampleFactory(HOST, T0);
          for (int c = 0; c < CYCLES; c++) {
            f.at(T0 + c * PERIOD_MS);
            long dropped = c * PERIOD_MS / 1_000;
            h.pipe(
                f.interfaces(WEB, loopback().build(), eth0("10.253.0.10", c)),
                f.interfaces(CLIENT_1, loopback().build(), eth0("10.253.0.21", c)),
                f.interfaces(CLIENT_2, loopback().build(), eth0("10.253.0.22", c)),
                f.protocol(
                    WEB,
                    Map.of(
                        "TcpExt.IPReversePathFilter",
                        rp ? dropped : 0L,
                        "Ip.InReceives",
                        c * 2_000L,
                        "TcpExt.TCPSynRetrans",
                        0L)),
                f.protocol(
                    CLIENT_1,
                    Map.of(
                        "TcpExt.TCPSynRetrans",
                        cutOff ? dropped : 0L,
                        "Tcp.AttemptFails",
                        cutOff ? c : 0L,
                        "Ip.InReceives",
                        cutOff ? 0L : c * 50L)),
                f.protocol(
                    CLIENT_2, Map.of("TcpExt.TCPSynRetrans", 0L, "Ip.InReceives", c * 2_000L)));
            if (source != null) {
              h.pipe(
                  f.filter(
                      WEB,
                      List.of(
                          rule(
                              "INPUT",
                              1,
                              "DROP",
                              "-A INPUT -s " + source + "/32 -j DROP",
                              dropped,
                              dropped * 60),
                          rule(
                              "INPUT",
                              2,
                              "ACCEPT",
                              "-A INPUT -j ACCEPT",
                              c * 2_000L,
                              c * 1_000_000L)),
                      List.of(policy("INPUT", "ACCEPT", 0, 0))));
            }
          }
          close(h, windowSeconds);
        },
        Duration.ofSeconds(windowSeconds));
  }

  private static dev.culprit.schemas.InterfaceStats eth0(String address, int cycle) {
    return iface("eth0")
        .setAddresses(new ArrayList<>(List.of(address + "/24")))
        .setRxPackets(cycle * 2_000L)
        .setTxPackets(cycle * 2_000L)
        .build();
  }

  private static void close(TopologyHarness h, int windowSeconds) {
    h.advanceTo(T0 + CYCLES * PERIOD_MS + windowSeconds * 1_000L + 2_000);
  }
}
