package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.Cause;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Settings are checked before anything touches the kernel, with messages naming the option. */
class FaultSpecTest {

  @Test
  void describesTheSeedsFirewallRuleInBothChains() {
    FaultSpec fault = FaultKind.FIREWALL_DROP.defaultSpec();
    assertThat(fault.describe())
        .contains("30%")
        .contains("INPUT and OUTPUT")
        .contains("probability 0.3")
        .contains("culprit-web");
  }

  @Test
  void refusesProbabilitiesThatAreNotAShareOfPackets() {
    for (double p : new double[] {0, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> new FirewallDropFault(FirewallDropFault.Chain.INPUT, p))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("--probability");
    }
    assertThat(new FirewallDropFault(FirewallDropFault.Chain.INPUT, 1).probability()).isEqualTo(1);
  }

  @Test
  void parsesChainsInAnyCaseAndRejectsOthers() {
    assertThat(FirewallDropFault.Chain.parse("both")).isEqualTo(FirewallDropFault.Chain.BOTH);
    assertThat(FirewallDropFault.Chain.parse("Input")).isEqualTo(FirewallDropFault.Chain.INPUT);
    assertThatThrownBy(() -> FirewallDropFault.Chain.parse("FORWARD"))
        .hasMessageContaining("INPUT, OUTPUT or both");
  }

  @Test
  void refusesAnMtuBelowTheIpv4MinimumOrAboveTheDefault() {
    assertThatThrownBy(() -> new MtuFault(67)).hasMessageContaining("68");
    assertThatThrownBy(() -> new MtuFault(9000)).hasMessageContaining("1500");
    assertThat(new MtuFault(100).describe()).contains("MTU 100").contains("keeps 1500");
  }

  @Test
  void refusesQdiscSettingsTcWouldMisread() {
    assertThatThrownBy(
            () -> new QdiscLossFault(QdiscLossFault.Mode.TBF, 30, "fast", "4kb", "8kb", null))
        .hasMessageContaining("--rate");
    assertThatThrownBy(
            () -> new QdiscLossFault(QdiscLossFault.Mode.NETEM, 0, "1mbit", "4kb", "8kb", null))
        .hasMessageContaining("--loss");
    assertThat(QdiscLossFault.Mode.parse("tbf")).isEqualTo(QdiscLossFault.Mode.TBF);
    assertThat(QdiscLossFault.Mode.parse("htb-random")).isEqualTo(QdiscLossFault.Mode.HTB_RANDOM);
    assertThatThrownBy(() -> QdiscLossFault.Mode.parse("red")).hasMessageContaining("htb-random");
  }

  @Test
  void describesTheQdiscActuallyInstalled() {
    var tbf = new QdiscLossFault(QdiscLossFault.Mode.AUTO, 30, "256kbit", "4kb", "8kb", "tbf");
    assertThat(tbf.describe()).startsWith("tbf rate 256kbit");
    var netem = new QdiscLossFault(QdiscLossFault.Mode.AUTO, 30, "256kbit", "4kb", "8kb", "netem");
    assertThat(netem.describe()).startsWith("netem loss 30%");
    var random =
        new QdiscLossFault(QdiscLossFault.Mode.AUTO, 30, "256kbit", "4kb", "8kb", "htb-random");
    assertThat(random.describe()).startsWith("random loss of 30% on cu-web").contains("pfifo");
  }

  @Test
  void dropsTheShareOfRandomNumbersAtOrBelowTheThreshold() {
    // P(drop) = (k + 1) / 2^32: 30 % → k = 0.3 * 2^32 - 1.
    assertThat(QdiscLossFault.randomDropBytecode(30))
        .isEqualTo("4,32 0 0 4294963256,37 0 1 1288490187,6 0 0 0,6 0 0 65538");
    assertThat(QdiscLossFault.randomDropBytecode(100)).contains("37 0 1 4294967295,");
    assertThat(QdiscLossFault.randomDropBytecode(0.0000000001)).contains("37 0 1 0,");
  }

  @Test
  void refusesAConntrackMaxSoSmallItWouldStarveEverything() {
    assertThatThrownBy(() -> new ConntrackFullFault(2)).hasMessageContaining("--max");
  }

  @Test
  void refusesAStuckListenerOnTheLabsOwnPorts() {
    assertThatThrownBy(() -> new ListenOverflowFault(80, 1)).hasMessageContaining("--port");
    assertThatThrownBy(() -> new ListenOverflowFault(7007, 1)).hasMessageContaining("--port");
    assertThatThrownBy(() -> new ListenOverflowFault(8081, 1000)).hasMessageContaining("--backlog");
  }

  @Test
  void knowsFaultsByTheirCommandLineNames() {
    for (FaultKind kind : FaultKind.values()) {
      assertThat(FaultKind.parse(kind.cliName())).isEqualTo(kind);
      assertThat(kind.defaultSpec().kind()).isEqualTo(kind);
    }
    assertThatThrownBy(() -> FaultKind.parse("netem"))
        .hasMessageContaining("unknown fault 'netem'")
        .hasMessageContaining("firewall-drop, qdisc-loss, mtu, conntrack-full, listen-overflow");
  }

  @Test
  void listsEveryFaultTheInjectCommandMakesAndNoOther() {
    var subcommands = new CommandLine(new LabInjectCommand()).getSubcommands().keySet();
    assertThat(subcommands)
        .containsExactlyElementsOf(
            java.util.Arrays.stream(FaultKind.values()).map(FaultKind::cliName).toList());
  }

  @Test
  void namesTheCauseCulpritMustFindForEveryFaultButTheNearMiss() {
    assertThat(FaultKind.MTU.expectedCause()).hasValue(Cause.MTU_MISMATCH);
    assertThat(FaultKind.RP_FILTER.expectedCause()).hasValue(Cause.REVERSE_PATH_FILTER);
    assertThat(FaultKind.ROUTE_UNREACHABLE.expectedCause()).hasValue(Cause.ROUTE_UNREACHABLE);
    assertThat(FaultKind.NEIGHBOUR_UNRESOLVED.expectedCause()).hasValue(Cause.NEIGHBOUR_UNRESOLVED);
    assertThat(FaultKind.OOM_JVM.expectedCause()).hasValue(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(FaultKind.JVM_HEAP_ERROR.expectedCause()).as("a Java OutOfMemoryError").isEmpty();
    assertThat(FaultKind.values())
        .filteredOn(kind -> kind.expectedCause().isEmpty())
        .containsExactly(FaultKind.JVM_HEAP_ERROR);
  }

  @Test
  void needsTheNetworkLabOnlyForNetworkFaultsAndRootForEvery() {
    assertThat(FaultKind.network())
        .containsExactly(
            FaultKind.FIREWALL_DROP,
            FaultKind.QDISC_LOSS,
            FaultKind.MTU,
            FaultKind.CONNTRACK_FULL,
            FaultKind.LISTEN_OVERFLOW,
            FaultKind.RP_FILTER,
            FaultKind.ROUTE_UNREACHABLE,
            FaultKind.NEIGHBOUR_UNRESOLVED);
    assertThat(FaultKind.network())
        .allSatisfy(kind -> assertThat(kind.defaultSpec()).isInstanceOf(NetworkFault.class));
    assertThat(FaultKind.container())
        .allSatisfy(
            kind -> {
              assertThat(kind.needs()).contains(FaultKind.Need.CGROUPS);
              assertThat(kind.needs()).doesNotContain(FaultKind.Need.NETWORK_LAB);
              assertThat(kind.defaultSpec()).isInstanceOf(ContainerFault.class);
            });
    assertThat(FaultKind.values())
        .allSatisfy(k -> assertThat(k.needs()).contains(FaultKind.Need.ROOT));
  }

  @Test
  void describesTheSeedsContainerFaultsWithTheirLimits() {
    assertThat(FaultKind.OOM_JVM.defaultSpec().describe())
        .isEqualTo("a JVM with -Xmx2g in a 256 MiB memory cgroup");
    assertThat(FaultKind.JVM_HEAP_ERROR.defaultSpec().describe())
        .isEqualTo("a JVM with default flags in a 256 MiB memory cgroup");
    assertThat(FaultKind.CPU_THROTTLE.defaultSpec().describe())
        .isEqualTo("`while :; do :; done` under a quota of 0.1 CPU");
    assertThat(ContainerFault.of(FaultKind.OOM_PROCESS).workload().memoryLimitBytes())
        .isEqualTo(64L << 20);
    assertThatThrownBy(() -> ContainerFault.of(FaultKind.MTU))
        .hasMessageContaining("not a container fault");
  }
}
