package dev.culprit.processor.rules;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.qdisc;
import static dev.culprit.processor.SampleFactory.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.RootCause;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every packet-loss rule fed samples whose namespace, interface, qdisc, table, chain and rule
 * comment are hostile words: each fires, its fix holds the word as one argument, and a real /bin/sh
 * runs exactly that argv in that namespace and nothing else. The namespace is each kind the
 * collector reports (named netns, Docker container, and none for an older collector), since each is
 * entered differently.
 */
class HostileSamplesRemediationTest {

  private static final long T0 = 1_700_000_001_000L;
  private static final long CYCLE_MS = 10_000;

  @TempDir Path dir;

  /** One rule's case: the samples of two cycles, the cause and the argv it must print. */
  private record Case(
      String rule,
      NetnsKind kind,
      Cause cause,
      BiFunction<SampleFactory, Integer, List<org.apache.avro.specific.SpecificRecord>> samples,
      List<String> argv) {}

  @Test
  void everyRulesFixRunsExactlyItsArgvInItsNamespaceWhateverTheSamplesAreNamed() throws Exception {
    ShellHarness sh = new ShellHarness(dir);
    List<String> words = HostileWords.of(sh.canary(), 20);
    Map<String, Case> byHost = new HashMap<>();
    try (TopologyHarness h = new TopologyHarness()) {
      for (int i = 0; i < words.size(); i++) {
        String word = words.get(i);
        for (Case c : cases(word)) {
          String host = "h" + i + "-" + c.rule() + "-" + c.kind();
          byHost.put(host, c);
          SampleFactory f = new SampleFactory(host, T0).kind(word, c.kind());
          for (int cycle = 0; cycle < 2; cycle++) {
            f.at(T0 + cycle * CYCLE_MS);
            for (var sample : c.samples().apply(f, cycle)) {
              h.pipe(sample);
            }
          }
        }
      }
      h.advanceTo(T0 + 2 * CYCLE_MS + 2_000);
      Map<String, List<RootCause>> causes =
          h.causes().stream().collect(Collectors.groupingBy(RootCause::getHost));

      for (var e : byHost.entrySet()) {
        Case c = e.getValue();
        List<RootCause> found =
            causes.getOrDefault(e.getKey(), List.of()).stream()
                .filter(rc -> rc.getCause() == c.cause())
                .toList();
        assertThat(found).as("%s on %s", c.cause(), e.getKey()).isNotEmpty();
        for (RootCause cause : found) {
          assertThat(cause.getFix().getArgv()).as(e.getKey()).isEqualTo(c.argv());
          assertThat(cause.getFix().getScope())
              .isEqualTo(Fixes.ofNetns(cause.getNetns(), c.kind()));
          if (c.kind() == NetnsKind.DOCKER_CONTAINER && !cause.getNetns().isEmpty()) {
            assertThat(cause.getFix().getScope().getKind()).isEqualTo(FixScopeKind.CONTAINER);
            assertThat(cause.getRemediation()).startsWith("nsenter --net=/proc/");
          }
          sh.assertRunsExactly(cause.getFix(), cause.getRemediation());
        }
      }
    }
  }

  private static List<Case> cases(String w) {
    List<Case> out = new ArrayList<>();
    Arrays.asList(null, NetnsKind.NAMED_NETNS, NetnsKind.DOCKER_CONTAINER)
        .forEach(
            kind ->
                casesOfAnyKind(w).stream()
                    .map(c -> new Case(c.rule(), kind, c.cause(), c.samples(), c.argv()))
                    .forEach(out::add));
    return out;
  }

  /** The cases with no kind set: {@link #cases} gives each every kind. */
  private static List<Case> casesOfAnyKind(String w) {
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "mtu",
            null,
            Cause.MTU_MISMATCH,
            (f, c) ->
                List.of(
                    f.interfaces(
                        w,
                        loopback().build(),
                        nic(w, n -> n.setMtu(1400))
                            .apply(c)
                            .setRxLengthErrors(25L * c)
                            .setRxErrors(25L * c)
                            .setRxFrame(25L * c)
                            .setRxPackets(80_000L * c)
                            .build())),
            List.of("ip", "link", "set", "dev", w, "mtu", "1500")));
    cases.add(
        new Case(
            "ring",
            null,
            Cause.NIC_RING_OVERFLOW,
            (f, c) ->
                List.of(
                    f.interfaces(
                        w,
                        loopback().build(),
                        nic(w, n -> n)
                            .apply(c)
                            .setRxMissedErrors(120L * c)
                            .setRxFifo(118L * c)
                            .setRxDropped(120L * c)
                            .setRxErrors(120L * c)
                            .setRxPackets(1_200_000L * c)
                            .build())),
            List.of("ethtool", "-G", w, "rx", "4096")));
    cases.add(
        new Case(
            "crc",
            null,
            Cause.NIC_RX_ERRORS,
            (f, c) ->
                List.of(
                    f.interfaces(
                        w,
                        loopback().build(),
                        nic(w, n -> n)
                            .apply(c)
                            .setRxCrcErrors(57L * c)
                            .setRxErrors(57L * c)
                            .setRxFrame(57L * c)
                            .setRxPackets(400_000L * c)
                            .build())),
            List.of("ethtool", w)));
    cases.add(
        new Case(
            "netem",
            null,
            Cause.QDISC_LOSS,
            (f, c) ->
                List.of(
                    f.qdiscs(
                        w,
                        qdisc(w, "netem", w)
                            .setLossPercent(30.0)
                            .setPackets(700L * c)
                            .setDrops(300L * c)
                            .build())),
            List.of("tc", "qdisc", "del", "dev", w, "root", "netem", "loss", "30%")));
    cases.add(
        new Case(
            "rule",
            null,
            Cause.FIREWALL_DROP,
            (f, c) -> {
              String spec =
                  "-A INPUT -m comment --comment \""
                      + w.replace("\\", "\\\\").replace("\"", "\\\"")
                      + "\" -m statistic --mode random --probability 0.30000000004 -j DROP";
              FirewallRule r =
                  FirewallRule.newBuilder(rule("INPUT", 1, "DROP", "-A INPUT -j DROP", 90L * c, 0))
                      .setSpec(spec)
                      .setTable(w)
                      .setComment(w)
                      .setStatisticMode("random")
                      .setStatisticProbability(0.3)
                      .build();
              return List.of(f.filter(w, List.of(r), List.of()));
            },
            List.of(
                "iptables",
                "-t",
                w,
                "-D",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                w,
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                "0.30",
                "-j",
                "DROP")));
    cases.add(
        new Case(
            "policy",
            null,
            Cause.FIREWALL_DROP,
            (f, c) -> {
              ChainPolicy p =
                  ChainPolicy.newBuilder(policy(w, "DROP", 500L * c, 0)).setTable(w).build();
              return List.of(f.filter(w, List.of(), List.of(p)));
            },
            List.of("iptables", "-t", w, "-P", w, "ACCEPT")));
    cases.add(
        new Case(
            "nft",
            null,
            Cause.FIREWALL_DROP,
            (f, c) -> {
              FirewallRule r =
                  FirewallRule.newBuilder(
                          rule(w, 1, "DROP", "numgen random mod 10 < 3 counter drop", 90L * c, 0))
                      .setBackend("nft")
                      .setFamily(w)
                      .setTable(w)
                      .setStatisticMode("random")
                      .setStatisticProbability(0.3)
                      .build();
              return List.of(f.filter(w, List.of(r), List.of()));
            },
            List.of("nft", "-a", "list", "chain", w, w, w)));
    cases.add(
        new Case(
            "conntrack",
            null,
            Cause.CONNTRACK_TABLE_FULL,
            (f, c) ->
                List.of(
                    f.conntrack(
                        w,
                        260_500 + 500L * c,
                        262_144,
                        Map.of("drop", 10L + 340 * c, "early_drop", 40L * c, "insert_failed", 5L))),
            List.of("sysctl", "-w", "net.netfilter.nf_conntrack_max=524288")));
    cases.add(
        protocolCase(
            w,
            "listen",
            Cause.LISTEN_OVERFLOW,
            Map.of("TcpExt.ListenOverflows", 40L, "TcpExt.ListenDrops", 42L),
            List.of(
                "sysctl", "-w", "net.core.somaxconn=4096", "net.ipv4.tcp_max_syn_backlog=4096")));
    cases.add(
        protocolCase(
            w,
            "udp",
            Cause.SOCKET_BUFFER_OVERFLOW,
            Map.of("Udp.RcvbufErrors", 1200L, "Udp.InDatagrams", 50_000L),
            List.of(
                "sysctl", "-w", "net.core.rmem_max=26214400", "net.core.rmem_default=26214400")));
    cases.add(
        protocolCase(
            w,
            "rpfilter",
            Cause.REVERSE_PATH_FILTER,
            Map.of("TcpExt.IPReversePathFilter", 200L, "Ip.InReceives", 1_000L),
            List.of("sysctl", "-w", "net.ipv4.conf.all.rp_filter=2")));
    return cases;
  }

  /** A NIC named {@code name}, changed by {@code change}, with counters set per cycle. */
  private static Function<Integer, InterfaceStats.Builder> nic(
      String name, Function<InterfaceStats.Builder, InterfaceStats.Builder> change) {
    return c ->
        change.apply(
            iface(name)
                .setIfindex(2)
                .setPeerIfindex(2)
                .setAddresses(new ArrayList<>(List.of("10.0.0.5/24"))));
  }

  private static Case protocolCase(
      String w, String rule, Cause cause, Map<String, Long> increase, List<String> argv) {
    return new Case(
        rule,
        null,
        cause,
        (f, c) -> {
          Map<String, Long> counters = new HashMap<>();
          increase.forEach((k, v) -> counters.put(k, 1_000L + v * c));
          return List.of(f.protocol(w, counters));
        },
        argv);
  }
}
