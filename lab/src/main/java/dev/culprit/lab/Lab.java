package dev.culprit.lab;

import dev.culprit.lab.LabTopology.Endpoint;
import dev.culprit.lab.Tools.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The lab: a web server, a healthy neighbour and N clients, each in its own network namespace, on a
 * bridge in a namespace of its own, with steady traffic; faults made for real in the server's
 * namespace. Every operation is idempotent and works from whatever a crashed earlier run left.
 *
 * <p>Each public method checks root and tools, takes the state lock, does its work, and returns the
 * lines to show the user.
 */
public final class Lab {

  private static final Set<Tool> ALL_TOOLS = EnumSet.allOf(Tool.class);
  private static final Duration SERVER_READY = Duration.ofSeconds(10);

  private final Shell shell;
  private final Tools tools;
  private final StateStore store;
  private final Path procRoot;

  public Lab(Path stateDir) {
    this(new Shell(), Tools.fromEnvironment(), new StateStore(stateDir), Path.of("/proc"));
  }

  Lab(Shell shell, Tools tools, StateStore store, Path procRoot) {
    this.shell = shell;
    this.tools = tools;
    this.store = store;
    this.procRoot = procRoot;
  }

  public Path stateDir() {
    return store.dir();
  }

  /** Brings the lab up with {@code clients} clients, or repairs and resizes a lab that exists. */
  public List<String> up(int clients) {
    LabTopology topology = new LabTopology(clients);
    return locked(ALL_TOOLS, false, lab -> bringUp(lab, topology));
  }

  /** Removes everything the lab made and restores what it changed; safe to repeat. */
  public List<String> down() {
    return locked(EnumSet.of(Tool.IP, Tool.BUSYBOX), true, this::tearDown);
  }

  /** Makes {@code fault} real in the server namespace, replacing one of the same kind. */
  public List<String> inject(NetworkFault fault) {
    return locked(ALL_TOOLS, false, lab -> injectFault(lab, fault));
  }

  /** Undoes one network fault, or every one when {@code kind} is null. */
  public List<String> clear(FaultKind kind) {
    return locked(ALL_TOOLS, false, lab -> clearFaults(lab, kind));
  }

  /**
   * What exists now: namespaces, devices, processes, faults with their counters, saved settings.
   */
  public List<String> status() {
    return locked(EnumSet.of(Tool.IP, Tool.BUSYBOX), true, lab -> new LabStatus(lab).lines());
  }

  /** The saved state, for tests and tools that want more than text. */
  public LabState state() {
    return store.load();
  }

  private List<String> locked(
      Set<Tool> needed, boolean tolerateCorruptState, Function<LabContext, List<String>> work) {
    Tools.requireRoot();
    tools.require(needed);
    try (AutoCloseable lock = store.lock()) {
      LabState state;
      List<String> preface = new ArrayList<>();
      try {
        state = store.load();
      } catch (StateStore.CorruptStateException e) {
        if (!tolerateCorruptState) {
          throw new LabException(e.getMessage() + "; run `culprit lab down` to clean up by name");
        }
        preface.add(e.getMessage() + "; moved aside to " + store.quarantine());
        state = LabState.empty();
      }
      LabContext lab = new LabContext(shell, tools, store, procRoot, state);
      List<String> lines = new ArrayList<>(preface);
      lines.addAll(work.apply(lab));
      return lines;
    } catch (LabException e) {
      throw e;
    } catch (Exception e) {
      throw new LabException("culprit lab failed: " + e, e);
    }
  }

  private List<String> bringUp(LabContext lab, LabTopology topology) {
    removeSurplusClients(lab, topology);
    lab.update(s -> s.withClients(topology.clients()));
    Set<String> existing = NetnsList.names(lab);
    if (!existing.contains(LabTopology.WEB_NS) && !lab.state().faults().isEmpty()) {
      // The server namespace is gone, so its faults are too; but a lowered sysctl is not.
      clearFaults(lab, null).forEach(lab::note);
    }
    for (String netns : topology.namespaces()) {
      if (!existing.contains(netns)) {
        // Processes recorded for a namespace that no longer exists live in a dead copy of it.
        lab.stop(p -> p.netns().equals(netns), role -> false);
        lab.ip("netns", "add", netns);
        lab.note("created namespace " + netns);
      }
      configureNamespace(lab, netns);
    }
    if (!lab.tryIp("-n", LabTopology.LAN_NS, "link", "show", "dev", LabTopology.BRIDGE).ok()) {
      lab.ip("-n", LabTopology.LAN_NS, "link", "add", LabTopology.BRIDGE, "type", "bridge");
      lab.note("created bridge " + LabTopology.BRIDGE + " in " + LabTopology.LAN_NS);
    }
    lab.ip("-n", LabTopology.LAN_NS, "link", "set", "dev", LabTopology.BRIDGE, "up");
    topology.endpoints().forEach(e -> connect(lab, e));

    Path www = Workloads.writeSite(lab.stateDir());
    Path logs = logsDir(lab);
    ConntrackFullFault.ensureTracking(lab);
    Workloads workloads = new Workloads(tools);
    ensureProcess(lab, "web-httpd", LabTopology.WEB_NS, workloads.httpd(www), logs);
    ensureProcess(lab, "web-echo", LabTopology.WEB_NS, Workloads.echoServer(), logs);
    ensureProcess(lab, "quiet-httpd", LabTopology.QUIET_NS, workloads.httpd(www), logs);
    awaitListening(lab, LabTopology.WEB_NS, LabTopology.HTTP_PORT, logs);
    awaitListening(lab, LabTopology.WEB_NS, LabTopology.ECHO_PORT, logs);
    awaitListening(lab, LabTopology.QUIET_NS, LabTopology.HTTP_PORT, logs);
    for (Endpoint client : topology.clientEndpoints()) {
      String name = client.netns().substring("culprit-".length());
      ensureProcess(lab, name + "-web", client.netns(), workloads.webLoop(), null);
      ensureProcess(
          lab, name + "-quiet", client.netns(), workloads.quietLoop(LabTopology.quiet()), null);
    }
    List<String> lines = new ArrayList<>(lab.notes());
    lines.add(
        String.format(
            "lab up: server %s (%s), healthy neighbour %s (%s), %d client(s) on %s; state in %s",
            LabTopology.WEB_NS,
            LabTopology.WEB_ADDRESS,
            LabTopology.QUIET_NS,
            LabTopology.QUIET_ADDRESS,
            topology.clients(),
            LabTopology.SUBNET,
            lab.stateDir()));
    lines.add(
        String.format(
            "to see what clients see (probe loss joined to the server's causes): culprit up"
                + " --probe %s/%s:%d --probe %s/%s:%d",
            LabTopology.client(1).netns(),
            LabTopology.WEB_ADDRESS,
            LabTopology.HTTP_PORT,
            LabTopology.client(1).netns(),
            LabTopology.QUIET_ADDRESS,
            LabTopology.HTTP_PORT));
    return lines;
  }

  /** A client namespace beyond the wanted count, from an earlier, larger {@code up}. */
  private void removeSurplusClients(LabContext lab, LabTopology topology) {
    for (String netns : NetnsList.names(lab)) {
      if (netns.startsWith(LabTopology.CLIENT_NS_PREFIX)
          && LabTopology.LAB_NS.matcher(netns).matches()) {
        int n = Integer.parseInt(netns.substring(LabTopology.CLIENT_NS_PREFIX.length()));
        if (n > topology.clients()) {
          String prefix = netns.substring("culprit-".length()) + "-";
          lab.stop(p -> p.netns().equals(netns), role -> role.startsWith(prefix));
          lab.ip("netns", "del", netns);
          lab.note("removed surplus client namespace " + netns);
        }
      }
    }
  }

  /**
   * IPv4 only (no router solicitations, DAD or MLD chatter in the counters; an MTU below 1280 would
   * switch IPv6 off on the device anyway) and loopback up.
   */
  private static void configureNamespace(LabContext lab, String netns) {
    lab.shell()
        .run(
            lab.inNetns(
                netns,
                List.of(
                    lab.tools().path(Tool.BUSYBOX),
                    "sysctl",
                    "-q",
                    "-w",
                    "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1")));
    lab.ip("-n", netns, "link", "set", "dev", "lo", "up");
  }

  /**
   * Creates the veth pair from inside the bridge namespace, so no device ever appears in the
   * host's.
   */
  private static void connect(LabContext lab, Endpoint e) {
    String lan = LabTopology.LAN_NS;
    if (!lab.tryIp("-n", e.netns(), "link", "show", "dev", e.device()).ok()) {
      if (lab.tryIp("-n", lan, "link", "show", "dev", e.bridgePort()).ok()) {
        lab.ip("-n", lan, "link", "del", "dev", e.bridgePort()); // half of a pair a crash left
      }
      lab.ip(
          "-n",
          lan,
          "link",
          "add",
          e.bridgePort(),
          "type",
          "veth",
          "peer",
          "name",
          e.device(),
          "netns",
          e.netns());
      lab.note("created veth " + e.device() + " (" + e.netns() + ") <-> " + e.bridgePort());
    }
    lab.ip("-n", lan, "link", "set", "dev", e.bridgePort(), "master", LabTopology.BRIDGE, "up");
    lab.ip(
        "-n",
        e.netns(),
        "addr",
        "replace",
        e.address() + "/" + LabTopology.PREFIX_LENGTH,
        "dev",
        e.device());
    lab.ip("-n", e.netns(), "link", "set", "dev", e.device(), "up");
  }

  private static void ensureProcess(
      LabContext lab, String role, String netns, List<String> argv, Path logs) {
    var recorded = lab.state().process(role);
    if (recorded.isPresent() && lab.processes().isAlive(recorded.get())) {
      return;
    }
    Path log = logs == null ? null : logs.resolve(role + ".log");
    LabProcess started = lab.start(role, netns, argv, null, log);
    lab.note(
        (recorded.isPresent() ? "restarted " : "started ") + role + " (pid " + started.pid() + ")");
  }

  private static void awaitListening(LabContext lab, String netns, int port, Path logs) {
    if (!LabContext.await(SERVER_READY, () -> lab.listening(netns, port))) {
      throw new LabException(
          "nothing listens on port "
              + port
              + " in "
              + netns
              + " after "
              + SERVER_READY.toSeconds()
              + " s; see the logs in "
              + logs);
    }
  }

  private List<String> injectFault(LabContext lab, NetworkFault fault) {
    if (lab.state().clients() == 0 || !NetnsList.exists(lab, LabTopology.WEB_NS)) {
      throw new LabException("the lab is not up: run `culprit lab up` first");
    }
    lab.update(s -> s.withFault(fault)); // before touching the kernel, so a crash can be undone
    NetworkFault applied;
    try {
      applied = fault.apply(lab);
    } catch (LabException e) {
      try {
        fault.clear(lab);
        lab.update(s -> s.withoutFault(fault.kind()));
      } catch (LabException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
    lab.update(s -> s.withFault(applied));
    List<String> lines = new ArrayList<>(lab.notes());
    lines.add("injected " + applied.kind() + ": " + applied.describe());
    return lines;
  }

  private List<String> clearFaults(LabContext lab, FaultKind kind) {
    List<NetworkFault> targets = new ArrayList<>();
    if (kind == null) {
      targets.addAll(lab.state().faults());
    } else {
      // Clearing a fault the state does not know still removes what its defaults would have made.
      targets.add(lab.state().fault(kind).orElseGet(() -> NetworkFault.of(kind)));
    }
    List<String> lines = new ArrayList<>();
    for (NetworkFault fault : targets) {
      boolean recorded = lab.state().fault(fault.kind()).isPresent();
      fault.clear(lab);
      lab.update(s -> s.withoutFault(fault.kind()));
      lines.add(
          recorded
              ? "cleared " + fault.kind() + ": " + fault.describe()
              : fault.kind() + " was not active");
    }
    if (kind == null) {
      ConntrackFullFault.restore(lab);
      if (targets.isEmpty()) {
        lines.add("no faults were active");
      }
    }
    lines.addAll(lab.notes());
    return lines;
  }

  private List<String> tearDown(LabContext lab) {
    List<String> lines = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (NetworkFault fault : lab.state().faults()) {
      try {
        fault.clear(lab);
        lab.update(s -> s.withoutFault(fault.kind()));
        lines.add("cleared " + fault.kind());
      } catch (LabException e) {
        failures.add("clearing " + fault.kind() + ": " + e.getMessage());
      }
    }
    try {
      ConntrackFullFault.restore(lab);
    } catch (LabException e) {
      failures.add("restoring sysctls: " + e.getMessage());
    }
    int recorded = lab.state().processes().size();
    Set<Long> stubborn = lab.stop(p -> true, role -> true);
    if (recorded > 0) {
      lines.add("ended " + recorded + " lab process(es) and their children");
    }
    if (!stubborn.isEmpty()) {
      failures.add("processes that would not end: " + stubborn);
    }
    for (String netns : NetnsList.names(lab)) {
      if (LabTopology.LAB_NS.matcher(netns).matches()) {
        Shell.Result deleted = lab.tryIp("netns", "del", netns);
        if (deleted.ok()) {
          lines.add("deleted namespace " + netns);
        } else {
          failures.add("ip netns del " + netns + ": " + deleted.stderr().strip());
        }
      }
    }
    lines.addAll(lab.notes());
    if (!failures.isEmpty()) {
      throw new LabException("lab down left something behind:\n  " + String.join("\n  ", failures));
    }
    lab.update(s -> LabState.empty());
    store.delete();
    deleteTree(lab.stateDir().resolve("www"));
    deleteTree(lab.stateDir().resolve("logs"));
    lines.add(lines.isEmpty() ? "lab down: nothing to remove" : "lab down: everything removed");
    return lines;
  }

  private static Path logsDir(LabContext lab) {
    Path logs = lab.stateDir().resolve("logs");
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new LabException("cannot create " + logs + ": " + e, e);
    }
    return logs;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new LabException("cannot delete " + root + ": " + e, e);
    }
  }
}
