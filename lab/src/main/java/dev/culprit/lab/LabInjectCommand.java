package dev.culprit.lab;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code culprit lab inject FAULT [options]}: one subcommand per fault, each with its settings. */
@Command(
    name = "inject",
    mixinStandardHelpOptions = true,
    subcommands = {
      LabInjectCommand.FirewallDrop.class,
      LabInjectCommand.QdiscLoss.class,
      LabInjectCommand.Mtu.class,
      LabInjectCommand.ConntrackFull.class,
      LabInjectCommand.ListenOverflow.class,
      LabInjectCommand.RpFilter.class,
      LabInjectCommand.RouteUnreachable.class,
      LabInjectCommand.NeighbourUnresolved.class,
      LabInjectCommand.OomJvm.class,
      LabInjectCommand.OomJvmCmdline.class,
      LabInjectCommand.OomProcess.class,
      LabInjectCommand.CpuThrottle.class,
      LabInjectCommand.JvmHeapError.class
    },
    description = {
      "Make a fault real in the server namespace culprit-web (the lab must be up). Injecting a"
          + " fault again replaces it with the new settings; `culprit lab clear FAULT` undoes it.",
    })
public final class LabInjectCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    List<String> names = Arrays.stream(FaultKind.values()).map(FaultKind::cliName).toList();
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing fault: "
            + String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.get(names.size() - 1));
  }

  /** A container fault's subcommand: the fault has no options, its registry entry says it all. */
  abstract static class ContainerFaultCommand extends LabSubcommand {
    abstract FaultKind kind();

    @Override
    List<String> run(Lab lab) {
      return ContainerFaults.inject(options.stateDir, ContainerFault.of(kind()));
    }
  }

  @Command(
      name = "firewall-drop",
      mixinStandardHelpOptions = true,
      description = {
        "iptables rule 1 in the filter table of culprit-web: -m statistic --mode random"
            + " --probability P -j DROP, as in the seed. The rule's packet counter counts the drops"
            + " (iptables -nvxL); clients see SYN retries and timeouts.",
      })
  static final class FirewallDrop extends LabSubcommand {
    @Option(
        names = "--chain",
        paramLabel = "CHAIN",
        defaultValue = FirewallDropFault.DEFAULT_CHAIN,
        description = "INPUT, OUTPUT or both (default: ${DEFAULT-VALUE}, as in the seed).")
    String chain;

    @Option(
        names = "--probability",
        paramLabel = "P",
        defaultValue = FirewallDropFault.DEFAULT_PROBABILITY,
        description = "Share of packets dropped, 0 < P <= 1 (default: ${DEFAULT-VALUE}).")
    double probability;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new FirewallDropFault(FirewallDropFault.Chain.parse(chain), probability));
    }
  }

  @Command(
      name = "qdisc-loss",
      mixinStandardHelpOptions = true,
      description = {
        "A root qdisc on the server's interface cu-web that drops its replies at random, as the"
            + " seed's netem did. The qdisc's drop counter counts them (tc -s qdisc); the interface"
            + " counters do not.",
        "auto tries netem loss, then htb-random (same random loss without netem: an htb whose bpf"
            + " filter sends --loss % of packets to a zero-length pfifo), then tbf (a rate far below"
            + " the traffic: drops depend on traffic volume).",
      })
  static final class QdiscLoss extends LabSubcommand {
    @Option(
        names = "--kind",
        paramLabel = "KIND",
        defaultValue = "auto",
        description = "auto, netem, htb-random or tbf (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(
        names = "--loss",
        paramLabel = "PERCENT",
        defaultValue = QdiscLossFault.DEFAULT_LOSS,
        description =
            "Random loss in percent, for netem and htb-random (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(
        names = "--rate",
        paramLabel = "RATE",
        defaultValue = QdiscLossFault.DEFAULT_RATE,
        description = "tbf rate, tc syntax (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(
        names = "--burst",
        paramLabel = "SIZE",
        defaultValue = QdiscLossFault.DEFAULT_BURST,
        description = "tbf bucket size (default: ${DEFAULT-VALUE}).")
    String burst;

    @Option(
        names = "--limit",
        paramLabel = "SIZE",
        defaultValue = QdiscLossFault.DEFAULT_LIMIT,
        description =
            "tbf queue length in bytes; what does not fit is dropped (default: ${DEFAULT-VALUE}).")
    String limit;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(
          new QdiscLossFault(QdiscLossFault.Mode.parse(kind), loss, rate, burst, limit, null));
    }
  }

  @Command(
      name = "mtu",
      mixinStandardHelpOptions = true,
      description = {
        "Set the MTU of the server's interface cu-web far below its peer's 1500, as in the seed:"
            + " handshakes pass, requests with data are dropped on receive (rx_dropped of cu-web,"
            + " RX-DRP in netstat -i) and clients time out. Clearing restores 1500.",
      })
  static final class Mtu extends LabSubcommand {
    @Option(
        names = "--mtu",
        paramLabel = "BYTES",
        defaultValue = MtuFault.DEFAULT_FAULT_MTU,
        description = "The MTU, 68 to 1500 (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new MtuFault(mtu));
    }
  }

  @Command(
      name = "conntrack-full",
      mixinStandardHelpOptions = true,
      description = {
        "Lower net.netfilter.nf_conntrack_max (host-wide: it is read-only inside a namespace)"
            + " below what culprit-web tracks, so its table is full and new connections are dropped"
            + " (nf_conntrack stat drop / early_drop, \"table full\" in dmesg). Only namespaces with"
            + " conntrack active feel it; the lab makes it active in culprit-web only, and refuses if"
            + " the host itself tracks many connections.",
        "The old value is saved in the state file first and restored by clear and by down, also"
            + " after a crash.",
      })
  static final class ConntrackFull extends LabSubcommand {
    @Option(
        names = "--max",
        paramLabel = "N",
        defaultValue = ConntrackFullFault.DEFAULT_MAX,
        description = "The lowered nf_conntrack_max (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new ConntrackFullFault(max));
    }
  }

  @Command(
      name = "listen-overflow",
      mixinStandardHelpOptions = true,
      description = {
        "Start a second server in culprit-web that listens with a tiny backlog and never accepts,"
            + " and make every client connect to it a few times a second: its accept queue stays"
            + " full and the kernel drops the SYNs (TcpExt ListenOverflows and ListenDrops).",
      })
  static final class ListenOverflow extends LabSubcommand {
    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = ListenOverflowFault.DEFAULT_PORT,
        description = "Its TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--backlog",
        paramLabel = "N",
        defaultValue = ListenOverflowFault.DEFAULT_BACKLOG,
        description = "Its listen() backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new ListenOverflowFault(port, backlog));
    }
  }

  @Command(
      name = "rp-filter",
      mixinStandardHelpOptions = true,
      description = {
        "Turn on strict reverse-path filtering in culprit-web and route the way back to one client"
            + " through lo: every packet from that client arrives on cu-web, which is not the"
            + " route back to it, and the kernel drops it (TcpExt IPReversePathFilter; no"
            + " interface counts it). The client's neighbour entry for the server is pinned while"
            + " the fault lasts (the server cannot answer its ARP either). Clearing removes the"
            + " route and the pin and turns rp_filter off again.",
      })
  static final class RpFilter extends LabSubcommand {
    @Option(
        names = "--client",
        paramLabel = "N",
        defaultValue = RpFilterFault.DEFAULT_CLIENT,
        description = "The client whose way back is bent (default: ${DEFAULT-VALUE}).")
    int client;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new RpFilterFault(client));
    }
  }

  @Command(
      name = "route-unreachable",
      mixinStandardHelpOptions = true,
      description = {
        "Add a blackhole (or unreachable, prohibit) route to one client's address in culprit-web:"
            + " the client's SYNs arrive but the server cannot route its answers back (Ip"
            + " OutNoRoutes and TcpExt ListenDrops rise, ListenOverflows does not), so the client"
            + " is cut off. Clearing deletes the route.",
      })
  static final class RouteUnreachable extends LabSubcommand {
    @Option(
        names = "--client",
        paramLabel = "N",
        defaultValue = RouteUnreachableFault.DEFAULT_CLIENT,
        description = "The client whose way back is refused (default: ${DEFAULT-VALUE}).")
    int client;

    @Option(
        names = "--type",
        paramLabel = "TYPE",
        defaultValue = RouteUnreachableFault.DEFAULT_TYPE,
        description =
            "blackhole (discard silently), unreachable or prohibit (answer with ICMP) (default:"
                + " ${DEFAULT-VALUE}).")
    String type;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new RouteUnreachableFault(client, type));
    }
  }

  @Command(
      name = "neighbour-unresolved",
      mixinStandardHelpOptions = true,
      description = {
        "Route culprit-web's answers to one client through 10.253.0.250, an address nobody"
            + " holds: they wait for an ARP reply that never comes and are dropped when the"
            + " neighbour entry goes FAILED (a dead gateway). Clearing deletes the route and the"
            + " entry.",
      })
  static final class NeighbourUnresolved extends LabSubcommand {
    @Option(
        names = "--client",
        paramLabel = "N",
        defaultValue = NeighbourUnresolvedFault.DEFAULT_CLIENT,
        description =
            "The client whose way back goes through the dead next hop (default:"
                + " ${DEFAULT-VALUE}).")
    int client;

    @Override
    List<String> run(Lab lab) {
      return lab.inject(new NeighbourUnresolvedFault(client));
    }
  }

  @Command(
      name = "oom-jvm",
      mixinStandardHelpOptions = true,
      description = {
        "The seed's container OOM: a JVM with -Xmx2g in a memory cgroup limited to 256 MiB. Its"
            + " heap grows until the kernel kills it (exit 137, `Memory cgroup out of memory` in"
            + " dmesg); culprit names JVM_HEAP_EXCEEDS_LIMIT with the ceiling and the limit.",
        "Needs no network lab and no Docker Engine.",
      })
  static final class OomJvm extends ContainerFaultCommand {
    @Override
    FaultKind kind() {
      return FaultKind.OOM_JVM;
    }
  }

  @Command(
      name = "oom-jvm-cmdline",
      mixinStandardHelpOptions = true,
      description = {
        "The seed's story as Docker shows it: a JVM with -Xmx1g and no performance data"
            + " (-XX:-UsePerfData) under 256 MiB, so its heap ceiling is known only from its"
            + " command line, which reads empty while the killed JVM exits. culprit must still"
            + " name JVM_HEAP_EXCEEDS_LIMIT with the 1 GiB ceiling.",
        "Needs no network lab and no Docker Engine.",
      })
  static final class OomJvmCmdline extends ContainerFaultCommand {
    @Override
    FaultKind kind() {
      return FaultKind.OOM_JVM_CMDLINE;
    }
  }

  @Command(
      name = "oom-process",
      mixinStandardHelpOptions = true,
      description = {
        "A shell process growing about 10 MiB/s in a memory cgroup limited to 64 MiB until the"
            + " kernel kills it: PROCESS_MEMORY_GROWTH.",
      })
  static final class OomProcess extends ContainerFaultCommand {
    @Override
    FaultKind kind() {
      return FaultKind.OOM_PROCESS;
    }
  }

  @Command(
      name = "cpu-throttle",
      mixinStandardHelpOptions = true,
      description = {
        "A busy loop in a CPU cgroup with a quota of 0.1 CPU (the seed's --cpus 0.1): throttled in"
            + " most CFS periods, CPU_THROTTLED. Runs until `culprit lab clear cpu-throttle`.",
      })
  static final class CpuThrottle extends ContainerFaultCommand {
    @Override
    FaultKind kind() {
      return FaultKind.CPU_THROTTLE;
    }
  }

  @Command(
      name = "jvm-heap-error",
      mixinStandardHelpOptions = true,
      description = {
        "The near miss: a container-aware JVM (default flags) in 256 MiB that runs out of heap and"
            + " dies of a Java OutOfMemoryError (exit 1). The kernel kills nothing, so culprit must"
            + " report no OOM kill.",
      })
  static final class JvmHeapError extends ContainerFaultCommand {
    @Override
    FaultKind kind() {
      return FaultKind.JVM_HEAP_ERROR;
    }
  }
}
