package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcConntrackStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A connection-tracking table too small for the server's traffic.
 *
 * <p>{@code nf_conntrack_max} is one host-wide limit (read-only inside a namespace) checked against
 * each namespace's own entry count. So the fault lowers it in the host's namespace for its lifetime
 * only: the original value goes into the state file <em>before</em> the write, {@code clear} and
 * {@code down} put it back (also after a crash), and only while it still holds the lab's value.
 * Only namespaces where conntrack is active feel it: the server (the lab adds a counting {@code -m
 * conntrack} rule there at {@code up}) — not the clients, the quiet neighbour or the host, as long
 * as the host tracks few connections; the fault refuses to start otherwise.
 *
 * @param max the lowered {@code nf_conntrack_max}
 */
public record ConntrackFullFault(int max) implements NetworkFault {

  /** Far below the thousands of entries the clients' short connections keep in TIME_WAIT. */
  public static final String DEFAULT_MAX = "32";

  public static final String SYSCTL = "net.netfilter.nf_conntrack_max";
  static final String TRACKING_COMMENT = "culprit-lab:conntrack";
  private static final int MIN_MAX = 8;

  public ConntrackFullFault {
    if (max < MIN_MAX) {
      throw new LabException("--max must be at least " + MIN_MAX + ", not " + max);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.CONNTRACK_FULL;
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%s lowered to %d host-wide while %s tracks more connections than that",
        SYSCTL,
        max,
        LabTopology.WEB_NS);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    ensureTracking(lab);
    requireHostNamespace(lab);
    Path maxFile = sysctlFile(lab, SYSCTL);
    long hostCount = readLong(sysctlFile(lab, "net.netfilter.nf_conntrack_count"));
    if (hostCount * 2 >= max) {
      throw new LabException(
          "the host's own namespace tracks "
              + hostCount
              + " connections; lowering "
              + SYSCTL
              + " to "
              + max
              + " would drop the host's traffic too. Use a --max well above "
              + hostCount * 2);
    }
    String current = Long.toString(readLong(maxFile));
    String wanted = Integer.toString(max);
    lab.update(s -> s.withSysctl(SYSCTL, current, wanted));
    write(maxFile, wanted);
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    restore(lab);
  }

  /**
   * Puts every saved host-wide setting back, if it still holds the lab's value, and forgets it.
   * Used by {@code clear} and by {@code down} even when no fault record survived.
   */
  public static void restore(LabContext lab) {
    for (SavedSysctl saved : lab.state().sysctls()) {
      Path file = lab.procRoot().resolve("sys").resolve(saved.procSysRelative());
      String now;
      try {
        now = ProcFiles.read(file).strip();
      } catch (IOException e) {
        lab.note("cannot read " + saved.key() + " to restore it (" + e.getMessage() + ")");
        continue;
      }
      if (now.equals(saved.original())) {
        lab.note(saved.key() + " is already " + now);
      } else if (saved.applied() == null || now.equals(saved.applied())) {
        write(file, saved.original());
        lab.note("restored " + saved.key() + " = " + saved.original() + " (was " + now + ")");
      } else {
        lab.note(
            "left "
                + saved.key()
                + " = "
                + now
                + ": someone changed it since the lab set "
                + saved.applied()
                + " (it was "
                + saved.original()
                + " before)");
      }
      lab.update(s -> s.withoutSysctl(saved.key()));
    }
  }

  @Override
  public String evidence(LabContext lab) {
    String ns = LabTopology.WEB_NS;
    String count = lab.readInNetns(ns, "/proc/sys/net/netfilter/nf_conntrack_count").strip();
    String max = lab.readInNetns(ns, "/proc/sys/net/netfilter/nf_conntrack_max").strip();
    Map<String, Long> stat =
        ProcConntrackStat.parse(lab.readInNetns(ns, "/proc/net/stat/nf_conntrack"));
    return String.format(
        Locale.ROOT,
        "%s tracks %s of max %s; drop %d, early_drop %d, insert_failed %d",
        ns,
        count,
        max,
        stat.getOrDefault("drop", 0L),
        stat.getOrDefault("early_drop", 0L),
        stat.getOrDefault("insert_failed", 0L));
  }

  /**
   * Makes conntrack active in the server namespace with a rule that only counts new connections: a
   * namespace without any conntrack user tracks nothing, and its table could never fill.
   */
  public static void ensureTracking(LabContext lab) {
    List<String> rule =
        List.of(
            "PREROUTING",
            "-m",
            "conntrack",
            "--ctstate",
            "NEW",
            "-m",
            "comment",
            "--comment",
            TRACKING_COMMENT);
    if (!lab.shell().run(mangle(lab, "-C", rule)).ok()) {
      lab.shell().check(mangle(lab, "-A", rule));
    }
  }

  private static List<String> mangle(LabContext lab, String op, List<String> rule) {
    List<String> argv = new ArrayList<>();
    argv.add(lab.tools().path(Tools.Tool.IPTABLES));
    argv.addAll(List.of("-w", "-t", "mangle", op));
    argv.addAll(rule);
    return lab.inNetns(LabTopology.WEB_NS, argv);
  }

  /**
   * The sysctl is only writable from the host's own namespace (init_net). Where init's namespace
   * cannot be read (some sandboxes hide it even from root) the write itself will tell.
   */
  private static void requireHostNamespace(LabContext lab) {
    Path self;
    Path init;
    try {
      self = Files.readSymbolicLink(lab.procRoot().resolve("self/ns/net"));
      init = Files.readSymbolicLink(lab.procRoot().resolve("1/ns/net"));
    } catch (IOException e) {
      return;
    }
    if (!self.equals(init)) {
      throw new LabException(
          "conntrack-full changes "
              + SYSCTL
              + ", which only the host's network namespace can; run culprit lab there (this"
              + " process is in "
              + self
              + ", init in "
              + init
              + ")");
    }
  }

  private static Path sysctlFile(LabContext lab, String key) {
    Path file = lab.procRoot().resolve("sys").resolve(key.replace('.', '/'));
    if (!Files.exists(file)) {
      throw new LabException(file + " does not exist: is the nf_conntrack module loaded?");
    }
    return file;
  }

  private static long readLong(Path file) {
    try {
      return Long.parseLong(ProcFiles.read(file).strip());
    } catch (IOException | NumberFormatException e) {
      throw new LabException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file, String value) {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new LabException(
          "cannot write "
              + value
              + " to "
              + file
              + " ("
              + e.getMessage()
              + "); it is writable only from the host's own network namespace, as root",
          e);
    }
  }
}
