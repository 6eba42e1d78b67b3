package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.lab.oracle.ProcNetDev;
import dev.culprit.lab.oracle.ProcNetTcp;
import dev.culprit.schemas.Cause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each fault, made for real in a real lab, moves the kernel's own counter for it — and clearing it
 * puts the setting back; and the kernel's own drop reasons during it are those of the cause culprit
 * is expected to name ({@link FaultKind#expectedCause}, judged by {@link KernelDropReasons}). Root
 * only (skipped with the reason otherwise); one lab for the class, torn down in {@link #downTheLab}
 * whatever happened.
 */
class LabFaultsKernelTest {

  private static RealLabHarness kernel;
  private static Lab lab;
  private static Path stateDir;
  private static String conntrackMaxBefore;
  private static String skipReason;
  private static KernelDropReasons dropReasons;

  @BeforeAll
  static void upTheLab() throws Exception {
    // Checked here but skipped per test: a class-level skip would hide the reason in the report.
    skipReason = RealLabHarness.whyUnusable();
    if (skipReason != null) {
      return;
    }
    kernel = new RealLabHarness();
    conntrackMaxBefore = RealLabHarness.conntrackMax();
    stateDir = Files.createTempDirectory("culprit-lab-test");
    lab = new Lab(stateDir);
    lab.up(2);
    dropReasons = KernelDropReasons.open();
  }

  @AfterAll
  static void downTheLab() {
    if (dropReasons != null) {
      dropReasons.close();
    }
    if (lab == null) {
      return;
    }
    List<LabProcess> had = lab.state().processes();
    try {
      lab.down();
    } finally {
      RealLabHarness.forceConntrackMax(conntrackMaxBefore);
    }
    kernel.assertNothingLeft(lab, had, conntrackMaxBefore);
    RealLabHarness.deleteStateDir(stateDir);
  }

  @BeforeEach
  void skipWithTheReasonUnlessTheLabIsUp() {
    assumeTrue(skipReason == null, skipReason);
  }

  @AfterEach
  void clearEveryFault() {
    if (lab != null) {
      lab.clear(null);
    }
  }

  @Test
  void trafficFlowsToTheServerAndTheQuietNeighbour() {
    long overflowsBefore = kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenOverflows");
    RealLabHarness.awaitRise(
        "cu-web rx_packets", () -> kernel.device(lab, "web-httpd", "cu-web").rxPackets(), 100);
    RealLabHarness.awaitRise(
        "cu-quiet rx_packets", () -> kernel.device(lab, "quiet-httpd", "cu-quiet").rxPackets(), 20);
    assertThat(kernel.device(lab, "web-httpd", "cu-web").rxDropped()).isZero();
    // Without a fault the servers keep up: the lab makes no overflow it was not asked for.
    assertThat(kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenOverflows"))
        .isEqualTo(overflowsBefore);
  }

  @Test
  void firewallDropRulesCountDropsInBothChainsUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new FirewallDropFault(FirewallDropFault.Chain.BOTH, 0.3));

    RealLabHarness.awaitRise("INPUT DROP rule packets", () -> kernel.iptablesDrops("INPUT"), 5);
    RealLabHarness.awaitRise("OUTPUT DROP rule packets", () -> kernel.iptablesDrops("OUTPUT"), 5);
    assertThat(String.join("\n", lab.status())).contains("INPUT rule 1 dropped");

    kernelSays.assertExplainedBy(Cause.FIREWALL_DROP);

    lab.clear(FaultKind.FIREWALL_DROP);
    assertThat(kernel.iptablesDrops("INPUT")).isEqualTo(-1); // rule gone
    assertThat(kernel.iptablesDrops("OUTPUT")).isEqualTo(-1);
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void qdiscLossDropsAboutTheAskedShareOfRepliesAtRandomUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new QdiscLossFault(QdiscLossFault.Mode.AUTO, 30, "256kbit", "4kb", "8kb", null));
    String applied =
        ((QdiscLossFault) lab.state().fault(FaultKind.QDISC_LOSS).orElseThrow()).applied();
    // This kernel has no netem but has htb + cls_bpf; a kernel with netem uses netem.
    assertThat(applied).isIn("netem", "htb-random");
    assertThat(kernel.rootQdisc().kind()).isEqualTo(applied.equals("netem") ? "netem" : "htb");

    RealLabHarness.awaitRise("root qdisc drops", () -> kernel.rootQdisc().drops(), 5);
    // The share, measured as the seed did (hping3 from a client: the server's replies are what
    // its qdisc drops). Qdisc counters cannot give it, since a sent GSO skb counts as many packets
    // but a dropped one as one. From the client, not the server: the client's traffic keeps both
    // neighbour entries fresh, whereas the server's own ARP requests would cross the lossy qdisc
    // and a lost one silently drops a burst of queued pings.
    double lost = kernel.pingLoss(LabTopology.client(1).netns(), LabTopology.WEB_ADDRESS, 200);
    assertThat(lost).as("share of pings lost").isBetween(0.18, 0.42); // 30 % ± 3.7 sigma

    kernelSays.assertExplainedBy(Cause.QDISC_LOSS);

    lab.clear(FaultKind.QDISC_LOSS);
    assertThat(kernel.rootQdisc().kind()).isNotIn("netem", "htb", "tbf");
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void aTbfFarBelowTheTrafficDropsTooWhenAskedFor() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(tbf());
    assertThat(kernel.rootQdisc().kind()).isEqualTo("tbf");

    RealLabHarness.awaitRise("tbf drops", () -> kernel.rootQdisc().drops(), 5);

    kernelSays.assertExplainedBy(Cause.QDISC_LOSS);

    lab.clear(FaultKind.QDISC_LOSS);
    assertThat(kernel.rootQdisc().kind()).isNotEqualTo("tbf");
  }

  @Test
  void theSeedsThreeFaultsTogetherEachMoveTheirOwnCounter() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(NetworkFault.of(FaultKind.QDISC_LOSS));
    lab.inject(new FirewallDropFault(FirewallDropFault.Chain.BOTH, 0.3));
    lab.inject(new MtuFault(100));

    // With MTU 100 no request arrives, so almost nothing big leaves the server: the qdisc must
    // drop small packets too, which random loss does and a rate limit would not.
    RealLabHarness.awaitRise("root qdisc drops", () -> kernel.rootQdisc().drops(), 3);
    RealLabHarness.awaitRise("INPUT DROP rule packets", () -> kernel.iptablesDrops("INPUT"), 3);
    RealLabHarness.awaitRise(
        "cu-web rx_dropped", () -> kernel.device(lab, "web-httpd", "cu-web").rxDropped(), 3);
    kernelSays.assertExplainedBy(Set.of(Cause.QDISC_LOSS, Cause.FIREWALL_DROP, Cause.MTU_MISMATCH));

    assertQuietNamespaceDroppedNothing();
  }

  private static QdiscLossFault tbf() {
    return new QdiscLossFault(QdiscLossFault.Mode.TBF, 30, "256kbit", "4kb", "8kb", null);
  }

  @Test
  void mtu100MakesTheServerDropRequestsOnReceiveUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new MtuFault(100));
    assertThat(kernel.link(LabTopology.WEB_NS, "cu-web").mtu()).isEqualTo(100);
    assertThat(kernel.link(LabTopology.LAN_NS, "cu-web-br").mtu()).isEqualTo(1500);

    RealLabHarness.awaitRise(
        "cu-web rx_dropped", () -> kernel.device(lab, "web-httpd", "cu-web").rxDropped(), 5);

    kernelSays.assertExplainedBy(Cause.MTU_MISMATCH);

    lab.clear(FaultKind.MTU);
    assertThat(kernel.link(LabTopology.WEB_NS, "cu-web").mtu()).isEqualTo(1500);
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void aTinyConntrackTableDropsNewConnectionsAndTheLimitIsRestored() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new ConntrackFullFault(32));
    assertThat(RealLabHarness.conntrackMax()).isEqualTo("32");
    assertThat(lab.state().sysctl(ConntrackFullFault.SYSCTL).orElseThrow().original())
        .isEqualTo(conntrackMaxBefore);

    RealLabHarness.awaitRise(
        "culprit-web conntrack drop + early_drop + insert_failed",
        () -> {
          var stat = kernel.conntrackStat(LabTopology.WEB_NS);
          return stat.get("drop") + stat.get("early_drop") + stat.get("insert_failed");
        },
        3);
    long count =
        Long.parseLong(
            kernel.read(LabTopology.WEB_NS, "/proc/sys/net/netfilter/nf_conntrack_count").strip());
    assertThat(count).as("entries in culprit-web's table").isGreaterThanOrEqualTo(32);

    kernelSays.assertExplainedBy(Cause.CONNTRACK_TABLE_FULL);

    lab.clear(FaultKind.CONNTRACK_FULL);
    assertThat(RealLabHarness.conntrackMax()).isEqualTo(conntrackMaxBefore);
    assertThat(lab.state().sysctls()).isEmpty();
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void strictRpFilterDropsOneClientsPacketsUntilCleared() throws Exception {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new RpFilterFault(1));

    RealLabHarness.awaitRise(
        "culprit-web TcpExt.IPReversePathFilter",
        () -> kernel.netstat(LabTopology.WEB_NS).get("TcpExt.IPReversePathFilter"),
        3);

    kernelSays.assertExplainedBy(Cause.REVERSE_PATH_FILTER);

    lab.clear(FaultKind.RP_FILTER);
    assertThat(
            kernel.ip("-n", LabTopology.WEB_NS, "route", "show", LabTopology.client(1).address()))
        .isBlank();
    assertThat(
            kernel
                .read(
                    LabTopology.WEB_NS,
                    "/proc/sys/net/ipv4/conf/" + LabTopology.web().device() + "/rp_filter")
                .strip())
        .isEqualTo("0");
    assertThat(kernel.ip("-n", LabTopology.client(1).netns(), "neigh", "show", "nud", "permanent"))
        .isBlank();
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void aListenerThatNeverAcceptsOverflowsItsQueueUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new ListenOverflowFault(8081, 1));
    LabProcess listener = lab.state().process(ListenOverflowFault.LISTENER_ROLE).orElseThrow();

    RealLabHarness.awaitRise(
        "culprit-web TcpExt.ListenOverflows",
        () -> kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenOverflows"),
        3);

    kernelSays.assertExplainedBy(Cause.LISTEN_OVERFLOW);

    lab.clear(FaultKind.LISTEN_OVERFLOW);
    DetachedProcesses processes =
        new DetachedProcesses(RealLabHarness.PROC, stateDir, kernel.tools);
    assertThat(processes.isAlive(listener)).isFalse();
    assertThat(processes.marked(role -> role.endsWith("-overflow"))).isEmpty();
    assertThat(ProcNetTcp.listening(kernel.read(LabTopology.WEB_NS, "/proc/net/tcp"), 8081))
        .isFalse();
    assertThat(lab.state().processes())
        .extracting(LabProcess::role)
        .containsExactlyInAnyOrder(
            "web-httpd",
            "web-echo",
            "quiet-httpd",
            "client-1-web",
            "client-1-quiet",
            "client-2-web",
            "client-2-quiet");
  }

  @Test
  void aBlackholeRouteToOneClientRefusesTheServersAnswersUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    long overflowsBefore = kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenOverflows");
    lab.inject(new RouteUnreachableFault(1, "blackhole"));

    // Linux 6.18: each SYN-ACK with no route back counts once in Ip.OutNoRoutes and in
    // TcpExt.ListenDrops; the accept queue is never full.
    RealLabHarness.awaitRise("culprit-web Ip.OutNoRoutes", () -> snmp("Ip.OutNoRoutes"), 3);
    assertThat(kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenDrops")).isPositive();
    assertThat(kernel.netstat(LabTopology.WEB_NS).get("TcpExt.ListenOverflows"))
        .isEqualTo(overflowsBefore);

    kernelSays.assertExplainedBy(Cause.ROUTE_UNREACHABLE);

    lab.clear(FaultKind.ROUTE_UNREACHABLE);
    assertThat(
            kernel.ip("-n", LabTopology.WEB_NS, "route", "show", LabTopology.client(1).address()))
        .isBlank();
    assertQuietNamespaceDroppedNothing();
  }

  @Test
  void aDeadNextHopToOneClientLeavesItsNeighbourUnresolvedUntilCleared() {
    KernelDropReasons.Recording kernelSays = dropReasons.beforeFault();
    lab.inject(new NeighbourUnresolvedFault(1));
    String hop = NeighbourUnresolvedFault.DEAD_NEXT_HOP;

    boolean failed =
        LabContext.await(
            RealLabHarness.FAULT_VISIBLE,
            () -> kernel.ip("-n", LabTopology.WEB_NS, "neigh", "show", hop).contains("FAILED"));
    assertThat(failed)
        .as("neighbour %s in culprit-web: %s", hop, kernel.ip("-n", LabTopology.WEB_NS, "neigh"))
        .isTrue();

    kernelSays.assertExplainedBy(Cause.NEIGHBOUR_UNRESOLVED);

    lab.clear(FaultKind.NEIGHBOUR_UNRESOLVED);
    assertThat(
            kernel.ip("-n", LabTopology.WEB_NS, "route", "show", LabTopology.client(1).address()))
        .isBlank();
    assertThat(kernel.ip("-n", LabTopology.WEB_NS, "neigh", "show", hop)).isBlank();
    assertQuietNamespaceDroppedNothing();
  }

  private static long snmp(String counter) {
    return dev.culprit.lab.oracle.ProcNetSnmp.parse(
            kernel.read(LabTopology.WEB_NS, "/proc/net/snmp"))
        .get(counter);
  }

  /** Faults are made in culprit-web only: the healthy neighbour must not drop a frame. */
  private static void assertQuietNamespaceDroppedNothing() {
    ProcNetDev.Counters quiet = kernel.device(lab, "quiet-httpd", "cu-quiet");
    assertThat(quiet.rxDropped()).isZero();
    assertThat(quiet.txDropped()).isZero();
    assertThat(kernel.netstat(LabTopology.QUIET_NS)).containsEntry("TcpExt.ListenOverflows", 0L);
  }
}
