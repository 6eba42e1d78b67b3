package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.lab.oracle.IpLinkJson;
import dev.culprit.lab.oracle.IptablesListing;
import dev.culprit.lab.oracle.ProcConntrackStat;
import dev.culprit.lab.oracle.ProcNetDev;
import dev.culprit.lab.oracle.ProcNetSnmp;
import dev.culprit.lab.oracle.TcQdiscJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The harness of the tests that build the real {@code culprit lab} on this machine: the
 * preconditions (skipped with the reason when unmet), the kernel's own counters read independently
 * of the lab's code paths where it matters, and the "nothing is left" check.
 */
final class RealLabHarness {

  static final Path PROC = Path.of("/proc");
  static final Path CONNTRACK_MAX = PROC.resolve("sys/net/netfilter/nf_conntrack_max");
  static final Duration FAULT_VISIBLE = Duration.ofSeconds(20);

  final Shell shell = new Shell();
  final Tools tools = Tools.fromEnvironment();

  /** Skips the calling test, with the reason, unless it can build a lab here. */
  static RealLabHarness assumeUsable() {
    String reason = whyUnusable();
    assumeTrue(reason == null, reason);
    return new RealLabHarness();
  }

  /**
   * Why a lab cannot be built here without disturbing anything, or null when it can: Linux, root,
   * every tool, and no lab already up (its namespaces have fixed names; a user's lab is left
   * alone).
   */
  static String whyUnusable() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return "the lab needs Linux";
    }
    long euid = Tools.effectiveUid(PROC.resolve("self/status"));
    if (euid != 0) {
      return "the lab needs root (namespaces, iptables, a host sysctl); euid is " + euid;
    }
    RealLabHarness kernel = new RealLabHarness();
    try {
      kernel.tools.require(EnumSet.allOf(Tools.Tool.class));
    } catch (LabException e) {
      return e.getMessage();
    }
    Set<String> present = kernel.labNamespaces();
    if (!present.isEmpty()) {
      return "a culprit lab is already up on this machine (" + present + "); not touching it";
    }
    return null;
  }

  Set<String> labNamespaces() {
    Set<String> all =
        NetnsList.parse(shell.check(List.of(tools.path(Tools.Tool.IP), "netns", "list")));
    all.removeIf(ns -> !LabTopology.LAB_NS.matcher(ns).matches());
    return all;
  }

  /** The argv that runs {@code tool ARGS} in network namespace {@code netns}. */
  List<String> inNetns(String netns, Tools.Tool tool, String... args) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(tools.path(Tools.Tool.IP), "netns", "exec", netns, tools.path(tool)));
    argv.addAll(List.of(args));
    return argv;
  }

  String read(String netns, String path) {
    return shell.check(inNetns(netns, Tools.Tool.BUSYBOX, "cat", path));
  }

  /** Per the issue: the server's counters as its httpd sees them, via {@code /proc/PID/net/dev}. */
  ProcNetDev.Counters device(Lab lab, String role, String device) {
    LabProcess process = lab.state().process(role).orElseThrow();
    try {
      String text = ProcFiles.read(PROC.resolve(process.pid() + "/net/dev"));
      return ProcNetDev.device(text, device).orElseThrow();
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/" + process.pid() + "/net/dev", e);
    }
  }

  /** Runs {@code ip ARGS} and returns what it printed. */
  String ip(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of(tools.path(Tools.Tool.IP)));
    argv.addAll(List.of(args));
    return shell.check(argv);
  }

  Map<String, Long> netstat(String netns) {
    return ProcNetSnmp.parse(read(netns, "/proc/net/netstat"));
  }

  Map<String, Long> conntrackStat(String netns) {
    return ProcConntrackStat.parse(read(netns, "/proc/net/stat/nf_conntrack"));
  }

  long iptablesDrops(String chain) {
    String listing =
        shell.check(
            inNetns(
                LabTopology.WEB_NS,
                Tools.Tool.IPTABLES,
                "-w",
                "-t",
                "filter",
                "-nvxL",
                chain,
                "--line-numbers"));
    return IptablesListing.ruleWithComment(listing, FirewallDropFault.COMMENT)
        .map(IptablesListing.Rule::packets)
        .orElse(-1L);
  }

  TcQdiscJson.Qdisc rootQdisc() {
    String json =
        shell.check(
            inNetns(
                LabTopology.WEB_NS,
                Tools.Tool.TC,
                "-s",
                "-j",
                "qdisc",
                "show",
                "dev",
                LabTopology.web().device()));
    return TcQdiscJson.root(json).orElseThrow();
  }

  IpLinkJson.Link link(String netns, String device) {
    String json =
        shell.check(List.of(tools.path(Tools.Tool.IP), "-j", "-n", netns, "addr", "show"));
    return IpLinkJson.parse(json).stream()
        .filter(l -> l.name().equals(device))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Sends {@code count} pings from {@code netns} to {@code address} 10 ms apart and returns the
   * share lost, from busybox ping's summary ("200 packets transmitted, 139 packets received").
   */
  double pingLoss(String netns, String address, int count) {
    Shell.Result ping =
        shell.run(
            inNetns(
                netns,
                Tools.Tool.BUSYBOX,
                "ping",
                "-q",
                "-c",
                Integer.toString(count),
                "-i",
                "0.01",
                "-W",
                "2",
                address),
            Duration.ofSeconds(30));
    var summary =
        java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received")
            .matcher(ping.stdout());
    if (!summary.find()) {
      throw new AssertionError("no ping summary: " + ping.stdout() + ping.stderr());
    }
    double sent = Double.parseDouble(summary.group(1));
    return (sent - Double.parseDouble(summary.group(2))) / sent;
  }

  static String conntrackMax() {
    try {
      return ProcFiles.read(CONNTRACK_MAX).strip();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Removes a test's state directory (down leaves its lock file) once the lab is down. */
  static void deleteStateDir(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot delete " + dir, e);
    }
  }

  /** Last line of defence: a test must never leave the host's conntrack limit lowered. */
  static void forceConntrackMax(String original) {
    if (original != null && Files.exists(CONNTRACK_MAX) && !conntrackMax().equals(original)) {
      try {
        Files.writeString(CONNTRACK_MAX, original);
      } catch (IOException e) {
        throw new AssertionError("could not restore nf_conntrack_max " + original, e);
      }
    }
  }

  /** Waits until {@code counter} has risen by at least {@code by} from its value now. */
  static long awaitRise(String what, LongSupplier counter, long by) {
    long start = counter.getAsLong();
    long[] last = {start};
    boolean rose =
        LabContext.await(
            FAULT_VISIBLE,
            () -> {
              last[0] = counter.getAsLong();
              return last[0] - start >= by;
            });
    assertThat(rose)
        .as(
            "%s should rise by %d within %s (from %d, last %d)",
            what, by, FAULT_VISIBLE, start, last[0])
        .isTrue();
    return last[0] - start;
  }

  /** The lab is gone: no lab namespace, no lab device on the host, no lab process alive. */
  void assertNothingLeft(Lab lab, List<LabProcess> hadProcesses, String conntrackMaxBefore) {
    assertThat(labNamespaces()).as("lab namespaces left").isEmpty();
    String hostLinks = shell.check(List.of(tools.path(Tools.Tool.IP), "-j", "addr", "show"));
    assertThat(IpLinkJson.parse(hostLinks))
        .extracting(IpLinkJson.Link::name)
        .noneMatch(name -> name.startsWith("cu-"));
    DetachedProcesses processes = new DetachedProcesses(PROC, lab.stateDir(), tools);
    assertThat(hadProcesses).noneMatch(processes::isAlive);
    assertThat(processes.marked(role -> true)).as("processes carrying this lab's marker").isEmpty();
    assertThat(conntrackMax()).isEqualTo(conntrackMaxBefore);
    assertThat(lab.state()).isEqualTo(LabState.empty());
  }
}
