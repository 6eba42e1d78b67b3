package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.FirewallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Probe results joined to the target's window (docs/ARCHITECTURE.md, step 5): clients probing pod
 * web-1 of node-7 (eth0 10.88.0.7/16 and fd00::7/64) from node-2's netns culprit-client and
 * node-3's host namespace. A cause in web-1 carries what the clients saw only when they lost
 * probes, and only when the address names one namespace.
 */
final class ProbeScenarios {

  private static final String CLIENT_NETNS = "culprit-client";
  private static final String RANDOM_DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";
  private static final String REJECT_OTHER_PORT =
      "-A INPUT -p tcp -m tcp --dport 8081 -j REJECT --reject-with icmp-port-unreachable";

  private ProbeScenarios() {}

  static List<Scenario> all() {
    return List.of(
        new Scenario(
            "probe-loss-at-a-firewall-drop",
            "clients probing web-1 lose about 30 % of their probes while its random DROP rule"
                + " counts: the FIREWALL_DROP cause carries the probe symptoms and names the"
                + " clients and targets (IPv6 written non-canonically still joins)",
            h ->
                run(
                    h,
                    RANDOM_DROP,
                    "DROP",
                    300,
                    (clients, c) -> {
                      if (c == 1) {
                        h.pipe(
                            clients.node2.probe(
                                CLIENT_NETNS, "10.88.0.7", 8080, 30, 18, 0.1, 0.4, 3.1),
                            clients.node3.probe("", "10.88.0.7", 8080, 30, 22, 0.2, 0.5, 1.2),
                            clients.node3.probe("", "fd00:0::7", 8080, 10, 6, 0.3, 0.6, 1.0));
                        clients.node2.at(cycle(1) + 5_000);
                        h.pipe(
                            clients.node2.probe(
                                CLIENT_NETNS, "10.88.0.7", 8080, 20, 13, 0.1, 0.3, 1003.4));
                      }
                    })),
        new Scenario(
            "probe-without-loss-adds-nothing",
            "web-1 rejects 40 % of INPUT on port 8081 while probes to its port 8080 all come back:"
                + " the cause stands without a probe clause or probe symptoms",
            h ->
                run(
                    h,
                    REJECT_OTHER_PORT,
                    "REJECT",
                    400,
                    (clients, c) ->
                        h.pipe(
                            clients.node2.probe(
                                CLIENT_NETNS, "10.88.0.7", 8080, 30, 30, 0.1, 0.2, 0.4)))),
        new Scenario(
            "probe-loss-to-an-ambiguous-address-is-not-joined",
            "node-8's pod api-3 has 10.88.0.7 too (a private address reused on another host):"
                + " the lossy probes could be either's, so the cause in node-7's web-1 carries none"
                + " of them",
            h -> {
              SampleFactory other = new SampleFactory("node-8", cycle(0));
              BiConsumer<Clients, Integer> probes =
                  (clients, c) -> {
                    other.at(cycle(c));
                    h.pipe(
                        other.interfaces(
                            "api-3",
                            loopback().build(),
                            iface("eth0")
                                .setIfindex(3)
                                .setPeerIfindex(12)
                                .setLinkType("veth")
                                .setAddresses(new ArrayList<>(List.of("10.88.0.7/16")))
                                .build()),
                        clients.node2.probe(
                            CLIENT_NETNS, "10.88.0.7", 8080, 30, 18, 0.1, 0.4, 3.1));
                  };
              run(h, RANDOM_DROP, "DROP", 300, probes);
            }),
        new Scenario(
            "probe-loss-to-an-unowned-address-is-quiet",
            "probes to 10.99.0.9, which no namespace reports, lose half their probes: nothing"
                + " joins, nothing is emitted",
            h -> probedFromNode2WithoutADrop(h, "10.99.0.9", 80, 30, 15)),
        new Scenario(
            "probe-loss-without-a-cause-is-quiet",
            "clients lose probes to a web-1 where no rule finds a cause: no cause is invented"
                + " (the contract has no cause for unexplained probe loss)",
            h -> probedFromNode2WithoutADrop(h, "10.88.0.7", 8080, 30, 12)),
        new Scenario(
            "probe-healthy-target-is-quiet",
            "a healthy web-1 answering every probe: nothing",
            h -> probedFromNode2WithoutADrop(h, "10.88.0.7", 8080, 30, 30)));
  }

  /**
   * node-7 with only ACCEPT rules, probed in each cycle from node-2's netns: {@code sent} probes to
   * {@code address}:{@code port}, {@code answered} of them answered (rtt 0.1/0.2/0.3 ms).
   */
  private static void probedFromNode2WithoutADrop(
      TopologyHarness h, String address, int port, int sent, int answered) {
    run(
        h,
        null,
        null,
        0,
        (clients, c) ->
            h.pipe(
                clients.node2.probe(CLIENT_NETNS, address, port, sent, answered, 0.1, 0.2, 0.3)));
  }

  /** The probing clients' collectors. */
  private record Clients(SampleFactory node2, SampleFactory node3) {}

  /**
   * Two cycles of node-7 (interfaces of the host and web-1, web-1's filter table with {@code spec}
   * counting {@code dropped} packets in cycle 1, or only ACCEPT rules when {@code spec} is null),
   * with {@code probes} piped after node-7's samples of each cycle; then every window is closed.
   */
  private static void run(
      TopologyHarness h,
      String spec,
      String target,
      long dropped,
      BiConsumer<Clients, Integer> probes) {
    WebHost w = new WebHost();
    Clients clients =
        new Clients(new SampleFactory("node-2", cycle(0)), new SampleFactory("node-3", cycle(0)));
    UnaryOperator<dev.culprit.schemas.InterfaceStats.Builder> same = b -> b;
    UnaryOperator<dev.culprit.schemas.InterfaceStats.Builder> dualStack =
        e ->
            e.setAddresses(new ArrayList<>(List.of("10.88.0.7/16", "fd00::7/64", "fe80::88:7/64")));
    for (int c = 0; c < 2; c++) {
      w.samples.at(cycle(c));
      clients.node2.at(cycle(c));
      clients.node3.at(cycle(c));
      List<FirewallRule> rules = new ArrayList<>();
      if (spec != null) {
        rules.add(rule("INPUT", 1, target, spec, 6 + c * dropped, (6 + c * dropped) * 60));
      }
      rules.add(rule("INPUT", 2, "ACCEPT", "-A INPUT -j ACCEPT", c * 600L, c * 36_000L));
      h.pipe(
          w.hostInterfaces(same, same, same),
          w.podInterfaces(same, dualStack),
          w.samples.filter(
              WebHost.POD,
              rules,
              List.of(policy("INPUT", "ACCEPT", 0, 0), policy("OUTPUT", "ACCEPT", 0, 0))));
      probes.accept(clients, c);
    }
    h.advanceTo(closing(1));
  }
}
