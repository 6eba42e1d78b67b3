package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.lab.oracle.DropReasonOracle;
import dev.culprit.lab.oracle.DropReasonTable;
import dev.culprit.lab.oracle.ReasonCounts;
import dev.culprit.schemas.Cause;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The oracle itself, against the kernel: a firewall DROP in a namespace of its own is recorded as
 * {@code NETFILTER_DROP}, which the table lets FIREWALL_DROP explain and not QDISC_LOSS; and the
 * oracle leaves no ftrace instance (nor a tracefs it mounted) behind. Root with a mountable tracefs
 * only; skipped with the reason otherwise.
 */
class DropReasonOracleKernelTest {

  private static final int PINGS = 30;

  @Test
  void aFirewallDropInANamespaceIsRecordedAsNetfilterDropAndJudgedSo() {
    String unusable = DropReasonOracle.whyUnusable();
    assumeTrue(unusable == null, unusable);
    Tools tools = Tools.fromEnvironment();
    Shell shell = new Shell();
    String ip = tools.path(Tools.Tool.IP);
    String netns = "culprit-oracle-" + ProcessHandle.current().pid();
    DropReasonOracle oracle = DropReasonOracle.open();
    try {
      shell.check(List.of(ip, "netns", "add", netns));
      shell.check(List.of(ip, "-n", netns, "link", "set", "lo", "up"));
      DropReasonOracle.Mark start = oracle.mark();
      ping(shell, tools, netns, 5); // the baseline: answered, nothing dropped in the namespace
      DropReasonOracle.Mark dropping = oracle.mark();
      shell.check(
          List.of(
              ip,
              "netns",
              "exec",
              netns,
              tools.path(Tools.Tool.IPTABLES),
              "-w",
              "-A",
              "INPUT",
              "-p",
              "icmp",
              "-j",
              "DROP"));
      ping(shell, tools, netns, PINGS);
      DropReasonOracle.Mark end = oracle.mark();

      ReasonCounts baseline = oracle.between(start, dropping);
      ReasonCounts fault = oracle.between(dropping, end);
      System.out.println("baseline " + baseline + "\nfault " + fault);
      assertThat(fault.count("NETFILTER_DROP")).isGreaterThanOrEqualTo(PINGS);
      // Where depends on the iptables backend: nft_do_chain (iptables-nft), nf_hook_slow (legacy).
      assertThat(fault.byLocation().keySet())
          .anyMatch(k -> k.matches("NETFILTER_DROP@(nf_hook_slow|nft_do_chain)"));

      Set<String> known = oracle.knownReasons();
      var firewall = DropReasonTable.judge(Set.of(Cause.FIREWALL_DROP), known, baseline, fault);
      assertThat(firewall.agrees()).as(firewall.explanation()).isTrue();
      var qdisc = DropReasonTable.judge(Set.of(Cause.QDISC_LOSS), known, baseline, fault);
      assertThat(qdisc.agrees()).as(qdisc.explanation()).isFalse();
      // Names are resolved from this kernel's own list: the table's core reasons must be in it.
      assertThat(known)
          .contains(
              "NETFILTER_DROP",
              "IP_RPFILTER",
              "QDISC_DROP",
              "PKT_TOO_BIG",
              "TCP_LISTEN_OVERFLOW",
              "NOT_SPECIFIED");
      System.out.println(
          "table names this kernel does not know: "
              + DropReasonTable.namesUsed().stream().filter(n -> !known.contains(n)).toList());
    } finally {
      try {
        oracle.close();
      } finally {
        shell.run(List.of(ip, "netns", "del", netns));
      }
    }
    assertThat(Files.exists(oracle.instance())).as("the oracle's ftrace instance").isFalse();
    assertThat(Files.exists(oracle.instance().getParent().getParent()))
        .as("a tracefs the oracle mounted is unmounted (or was mounted before and stays)")
        .isEqualTo(!oracle.mountedItsOwnTracefs());
    assertThat(new Shell().check(List.of(ip, "netns", "list"))).doesNotContain(netns);
  }

  private static void ping(Shell shell, Tools tools, String netns, int count) {
    shell.run(
        List.of(
            tools.path(Tools.Tool.IP),
            "netns",
            "exec",
            netns,
            tools.path(Tools.Tool.BUSYBOX),
            "ping",
            "-q",
            "-c",
            Integer.toString(count),
            "-i",
            "0.01",
            "-W",
            "1",
            "127.0.0.1"),
        Duration.ofSeconds(20));
  }
}
