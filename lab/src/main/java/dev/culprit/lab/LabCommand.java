package dev.culprit.lab;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code culprit lab}: real packet-loss faults in network namespaces on this machine, for seeing
 * culprit find them. Register with {@code addSubcommand(new LabCommand())} (or list {@code
 * LabCommand.class} in the top command's {@code subcommands}).
 */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    subcommands = {
      LabCommand.Up.class,
      LabCommand.Down.class,
      LabCommand.Status.class,
      LabInjectCommand.class,
      LabCommand.Clear.class
    },
    description = {
      "Make the seed's packet-loss faults for real on this machine (root, Linux), to watch"
          + " `culprit up` find them.",
      "",
      "The lab is a server namespace culprit-web (10.253.0.10: busybox httpd on port 80, a TCP"
          + " echo on 7007), a healthy neighbour culprit-quiet (10.253.0.20) and client namespaces"
          + " culprit-client-N sending steady, bounded HTTP and TCP traffic to both, joined by veth"
          + " pairs to the bridge cu-br0 in the namespace culprit-lan. The subnet 10.253.0.0/24 exists"
          + " only inside these namespaces: no traffic leaves the machine.",
      "",
      "Typical use:  culprit lab up;  culprit up  (in another terminal);"
          + "  culprit lab inject firewall-drop;  culprit lab clear;  culprit lab down",
    })
public final class LabCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: up, down, status, inject or clear");
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = {
        "Create the lab's namespaces, bridge and veths, start the servers and the client traffic.",
        "Idempotent: run it again to repair a lab (missing namespace, dead process) or to change"
            + " the number of clients; active faults stay as they are.",
      })
  static final class Up extends LabSubcommand {
    @Option(
        names = "--clients",
        paramLabel = "N",
        defaultValue = "2",
        description =
            "Number of client namespaces, 1 to "
                + LabTopology.MAX_CLIENTS
                + " (default: ${DEFAULT-VALUE}).")
    int clients;

    @Override
    List<String> run(Lab lab) {
      return lab.up(clients);
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = {
        "Remove everything the lab made: clear every fault (restoring nf_conntrack_max), end every"
            + " process it started (by recorded pid and start time, and their children), delete its"
            + " namespaces with their veths and the bridge.",
        "Idempotent, and works after a crash of any lab command (it also finds the lab's"
            + " namespaces by name). It never touches processes or namespaces the lab did not make.",
      })
  static final class Down extends LabSubcommand {
    @Override
    List<String> run(Lab lab) {
      // Container workloads go even when the network lab's teardown fails.
      List<String> lines = new java.util.ArrayList<>();
      try {
        lines.addAll(lab.down());
      } finally {
        lines.addAll(ContainerFaults.clear());
      }
      return lines;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "List what exists: namespaces with their devices, MTUs and addresses, the lab's processes"
              + " (running or not), active faults with the kernel counters that show them working,"
              + " and host settings the lab saved to restore.")
  static final class Status extends LabSubcommand {
    @Override
    List<String> run(Lab lab) {
      return lab.status();
    }
  }

  @Command(
      name = "clear",
      mixinStandardHelpOptions = true,
      description = {
        "Undo one fault, or every fault when FAULT is omitted; the lab and its traffic keep"
            + " running. Idempotent.",
      })
  static final class Clear extends LabSubcommand {
    @Parameters(
        arity = "0..1",
        paramLabel = "FAULT",
        description =
            "firewall-drop, qdisc-loss, mtu, conntrack-full, listen-overflow, rp-filter,"
                + " route-unreachable, neighbour-unresolved, or a container"
                + " fault (oom-jvm, oom-jvm-cmdline, oom-process, cpu-throttle, jvm-heap-error: clears them all).")
    String fault;

    @Override
    List<String> run(Lab lab) {
      FaultKind kind = fault == null ? null : FaultKind.parse(fault);
      if (kind != null && !kind.isNetwork()) {
        return ContainerFaults.clear();
      }
      List<String> lines = new java.util.ArrayList<>(lab.clear(kind));
      if (fault == null) {
        lines.addAll(ContainerFaults.clear());
      }
      return lines;
    }
  }
}
