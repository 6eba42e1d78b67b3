package dev.culprit.lab;

import dev.culprit.lab.oracle.IpLinkJson;
import dev.culprit.lab.oracle.ProcNetDev;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The text of {@code culprit lab status}: what exists in the kernel (namespaces, devices), what the
 * state file says the lab made (processes, faults, saved settings), and where the two disagree.
 * Reads only; every failed read becomes a line instead of an error, since status is what one runs
 * when something is broken.
 */
final class LabStatus {

  private final LabContext lab;

  LabStatus(LabContext lab) {
    this.lab = lab;
  }

  List<String> lines() {
    LabState state = lab.state();
    List<String> lines = new ArrayList<>();
    lines.add(
        state.clients() > 0
            ? "lab: up with " + state.clients() + " client(s); state " + lab.stateDir()
            : "lab: not up (state " + lab.stateDir() + ")");
    namespaces(state, lines);
    processes(state, lines);
    faults(state, lines);
    sysctls(state, lines);
    hostDevices(lines);
    return lines;
  }

  private void namespaces(LabState state, List<String> lines) {
    Set<String> present = new TreeSet<>();
    for (String name : NetnsList.names(lab)) {
      if (LabTopology.LAB_NS.matcher(name).matches()) {
        present.add(name);
      }
    }
    lines.add("namespaces:" + (present.isEmpty() ? " none" : ""));
    for (String netns : present) {
      lines.add("  " + netns);
      Shell.Result links = lab.tryIp("-j", "-n", netns, "addr", "show");
      if (!links.ok()) {
        lines.add("    (cannot list devices: " + links.stderr().strip() + ")");
        continue;
      }
      Map<String, ProcNetDev.Counters> traffic = traffic(netns);
      for (IpLinkJson.Link link : IpLinkJson.parse(links.stdout())) {
        if (!link.name().equals("lo")) {
          ProcNetDev.Counters c = traffic.get(link.name());
          lines.add(
              "    "
                  + link
                  + (c == null
                      ? ""
                      : String.format(
                          "; rx %d pkts (%d dropped), tx %d pkts (%d dropped)",
                          c.rxPackets(), c.rxDropped(), c.txPackets(), c.txDropped())));
        }
      }
    }
    if (state.clients() > 0) {
      List<String> missing = new ArrayList<>(new LabTopology(state.clients()).namespaces());
      missing.removeAll(present);
      if (!missing.isEmpty()) {
        lines.add("  missing (run `culprit lab up` to repair): " + String.join(", ", missing));
      }
    }
  }

  private Map<String, ProcNetDev.Counters> traffic(String netns) {
    try {
      return ProcNetDev.parse(lab.readInNetns(netns, "/proc/net/dev"));
    } catch (LabException e) {
      return Map.of();
    }
  }

  private void processes(LabState state, List<String> lines) {
    lines.add("processes:" + (state.processes().isEmpty() ? " none recorded" : ""));
    Set<Long> recordedPids = new TreeSet<>();
    for (LabProcess p : state.processes()) {
      recordedPids.add(p.pid());
      lines.add(
          String.format(
              "  %-22s %-18s pid %-7d %s",
              p.role(),
              p.netns(),
              p.pid(),
              lab.processes().isAlive(p) ? "running" : "NOT RUNNING"));
    }
    Set<Long> stray = new TreeSet<>(lab.processes().marked(role -> true));
    stray.removeAll(recordedPids);
    if (!stray.isEmpty()) {
      // Mostly short-lived children of the loops (wget, sleep); `down` ends them all.
      lines.add("  plus " + stray.size() + " child or unrecorded lab process(es): " + stray);
    }
  }

  private void faults(LabState state, List<String> lines) {
    lines.add("faults:" + (state.faults().isEmpty() ? " none" : ""));
    for (NetworkFault fault : state.faults()) {
      lines.add("  " + fault.kind() + ": " + fault.describe());
      String evidence;
      try {
        evidence = fault.evidence(lab);
      } catch (LabException e) {
        evidence = "(cannot read the counters: " + e.getMessage() + ")";
      }
      lines.add("    now: " + evidence);
    }
  }

  private void sysctls(LabState state, List<String> lines) {
    lines.add("saved sysctls:" + (state.sysctls().isEmpty() ? " none" : ""));
    for (SavedSysctl saved : state.sysctls()) {
      String now;
      try {
        now =
            ProcFiles.read(lab.procRoot().resolve("sys").resolve(saved.procSysRelative())).strip();
      } catch (java.io.IOException e) {
        now = "unreadable (" + e.getMessage() + ")";
      }
      lines.add(
          "  "
              + saved.key()
              + ": original "
              + saved.original()
              + ", lab set "
              + saved.applied()
              + ", now "
              + now);
    }
  }

  /**
   * The lab never creates devices in the host's namespace; any {@code cu-} device there is news.
   */
  private void hostDevices(List<String> lines) {
    Shell.Result links = lab.tryIp("-j", "addr", "show");
    if (!links.ok()) {
      return;
    }
    for (IpLinkJson.Link link : IpLinkJson.parse(links.stdout())) {
      if (link.name().startsWith("cu-")) {
        lines.add("host namespace has a lab-named device: " + link);
      }
    }
  }
}
