package dev.culprit.app;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.exec.ToolPath;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.source.SourceCatalogue;
import dev.culprit.collector.source.SourceContext;
import dev.culprit.collector.source.container.ContainerSource;
import dev.culprit.collector.source.container.ContainerSourceConfig;
import dev.culprit.collector.source.probe.ProbeSource;
import dev.culprit.collector.source.probe.ProbeTarget;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/** The collector's options, shared by {@code culprit up} and {@code culprit collect}. */
final class CollectorOptions {

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description =
          "Sampling interval; cycles start on wall-clock multiples of it (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--host-id",
      paramLabel = "ID",
      description = "Host id: the key and host field of every record (default: the hostname).")
  String hostId;

  @Option(
      names = "--sources",
      paramLabel = "NAME",
      split = ",",
      completionCandidates = SourceNames.class,
      description =
          "Sources to run (default: all but dropreasons, which --drop-reasons adds; probe only"
              + " with --probe): ${COMPLETION-CANDIDATES}.")
  List<String> sources = new ArrayList<>();

  @Option(
      names = "--drop-reasons",
      description =
          "Also record the kernel's reason for each packet it drops (the skb:kfree_skb tracepoint,"
              + " through a small ftrace instance of the collector's own; needs root and tracefs)"
              + " and publish the host's counts by reason: causes then quote them. Exact totals,"
              + " sampled reasons: the cost stays bounded at any drop rate. Off by default.")
  boolean dropReasons;

  @Option(
      names = "--netns-include",
      paramLabel = "GLOB",
      split = ",",
      description =
          "Only these namespaces (labels; globs, or re:REGEX). The host's own is always sampled.")
  List<String> netnsInclude = new ArrayList<>();

  @Option(
      names = "--netns-exclude",
      paramLabel = "GLOB",
      split = ",",
      description = "Skip these namespaces.")
  List<String> netnsExclude = new ArrayList<>();

  @Option(
      names = "--device-include",
      paramLabel = "GLOB",
      split = ",",
      description = "Only these interfaces.")
  List<String> deviceInclude = new ArrayList<>();

  @Option(
      names = "--device-exclude",
      paramLabel = "GLOB",
      split = ",",
      description = "Skip these interfaces.")
  List<String> deviceExclude = new ArrayList<>();

  @Option(
      names = "--proc-root",
      paramLabel = "DIR",
      defaultValue = "/proc",
      description = "The host's procfs (default: ${DEFAULT-VALUE}; /host/proc in a container).")
  Path procRoot;

  @Option(
      names = "--tool-path",
      paramLabel = "DIRS",
      defaultValue = ToolPath.DEFAULT,
      description =
          "Colon-separated absolute directories where the programs the collector runs as root"
              + " (iptables-save, nft, tc, ip, nsenter) are found; the inherited PATH is never"
              + " used (default: ${DEFAULT-VALUE}).")
  String toolPath;

  @Option(
      names = "--sys-root",
      paramLabel = "DIR",
      defaultValue = "/sys",
      description = "The host's sysfs (default: ${DEFAULT-VALUE}).")
  Path sysRoot;

  @Option(
      names = "--netns-dir",
      paramLabel = "DIR",
      defaultValue = "/var/run/netns",
      description = "Named network namespaces (default: ${DEFAULT-VALUE}).")
  Path netnsDir;

  @Option(
      names = "--cgroup-root",
      paramLabel = "DIR",
      defaultValue = "/sys/fs/cgroup",
      description = "The cgroup hierarchy (default: ${DEFAULT-VALUE}).")
  Path cgroupRoot;

  @Option(
      names = "--kmsg",
      paramLabel = "FILE",
      defaultValue = "/dev/kmsg",
      description = "The kernel log device (default: ${DEFAULT-VALUE}).")
  Path kmsg;

  @Option(
      names = "--spool-dir",
      paramLabel = "DIR",
      description =
          "On-disk spool for samples while the broker is unreachable (default: DATA_DIR/spool).")
  Path spoolDir;

  @Option(
      names = "--spool-max-bytes",
      paramLabel = "BYTES",
      defaultValue = "67108864",
      description =
          "Spool bound; beyond it the oldest samples are dropped and counted (default: ${DEFAULT-VALUE}).")
  long spoolMaxBytes;

  @Option(
      names = "--spool-max-age",
      paramLabel = "DURATION",
      defaultValue = "6d",
      description =
          "Spooled samples older than this are dropped and counted, not sent: the topics'"
              + " retention (7 days for samples) would delete them as they arrive and make the"
              + " broker forget the agent's producer state. Keep it below the sample topics'"
              + " retention (default: ${DEFAULT-VALUE}).")
  Duration spoolMaxAge;

  @Option(
      names = "--firewall-every",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "List firewall rules every N-th cycle (their counters come only with the listing; default: ${DEFAULT-VALUE}).")
  int firewallEvery;

  @Option(
      names = "--no-netlink",
      description =
          "Read interfaces, qdiscs and other namespaces by forking ip/tc/nsenter instead of through"
              + " netlink sockets and namespace file handles (used when available).")
  boolean noNetlink;

  @Option(
      names = "--docker-host",
      paramLabel = "SOCKET",
      defaultValue = "unix:///var/run/docker.sock",
      description =
          "Docker Engine API socket for container names, states, OOMKilled and events; 'none' to"
              + " read cgroups only (default: ${DEFAULT-VALUE}). Absent socket = cgroups only.")
  String dockerHost;

  @Option(
      names = "--pod-log-dir",
      paramLabel = "DIR",
      defaultValue = "/var/log/pods",
      description =
          "The kubelet's pod log directory (<namespace>_<pod>_<uid>/<container>/), with its sibling"
              + " containers/: names the pod and container of each kubelet cgroup without the"
              + " Kubernetes API; absent = pod UIDs only (default: ${DEFAULT-VALUE}).")
  Path podLogDir;

  @Option(
      names = "--kernel-look-back",
      paramLabel = "DURATION",
      defaultValue = "2m",
      description =
          "OOM kills already in the kernel log this recent are reported at start (default: ${DEFAULT-VALUE}).")
  Duration kernelLookBack;

  @Option(
      names = "--probe",
      paramLabel = "[NETNS/]ADDRESS:PORT",
      description =
          "Probe this TCP target every cycle, like hping3 -S: --probe-count connects at once,"
              + " answered = SYN-ACK or RST, RTT min/avg/max. NETNS = the namespace label they"
              + " leave from (default: the host's own); IPv6 as [ADDRESS]:PORT. Repeatable.")
  List<String> probes = new ArrayList<>();

  @Option(
      names = "--probe-count",
      paramLabel = "N",
      defaultValue = "5",
      description = "Probes per target per cycle (default: ${DEFAULT-VALUE}).")
  int probeCount;

  @Option(
      names = "--probe-timeout",
      paramLabel = "DURATION",
      description =
          "How long one probe waits for its answer; keep it below 1s, Linux's first SYN"
              + " retransmission, so a lost SYN counts as lost (default: 900ms, or 4/5 of the"
              + " source timeout when that is shorter, e.g. 600ms at --interval 1s).")
  Duration probeTimeout;

  /** The default probe timeout where the interval leaves room for it. */
  static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(900);

  private ContainerSource containers;
  private List<ProbeTarget> probeTargets = List.of();

  HostPaths hostPaths() {
    return new HostPaths(procRoot, sysRoot, netnsDir, cgroupRoot, kmsg);
  }

  CollectorConfig config(KafkaAccess kafka, Path dataDir) {
    return config(kafka, dataDir, Map.of());
  }

  /**
   * As {@link #config(KafkaAccess, Path)}, with Kafka producer settings of the user's, which win
   * over the client properties of {@code kafka}.
   */
  CollectorConfig config(KafkaAccess kafka, Path dataDir, Map<String, String> producerOverrides) {
    Map<String, String> producer = new LinkedHashMap<>(kafka.properties());
    producer.putAll(producerOverrides);
    Path spool = spoolDir != null ? spoolDir : dataDir.resolve("spool");
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .interval(interval)
            .hostPaths(hostPaths())
            .spoolDir(spool)
            .spoolMaxBytes(spoolMaxBytes)
            .spoolMaxAge(spoolMaxAge)
            .bootstrapServers(kafka.bootstrapServers())
            .producerOverrides(producer);
    if (hostId != null) {
      b.hostId(hostId);
    }
    if (!sources.isEmpty()) {
      try {
        SourceCatalogue.enabled(sources);
      } catch (IllegalArgumentException e) {
        throw new UserException("--sources: " + e.getMessage(), 2);
      }
    }
    if (!sources.isEmpty() || dropReasons) {
      b.enabledSources(requestedSources());
    }
    CollectorConfig config;
    try {
      config = b.build();
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), 2);
    }
    probeTargets = probeTargets(config);
    return config;
  }

  /** The parsed {@code --probe} targets, checked against the other probe options. */
  private List<ProbeTarget> probeTargets(CollectorConfig config) {
    if (probes.isEmpty()) {
      if (sources.contains("probe")) {
        throw new UserException("--sources probe needs at least one --probe target", 2);
      }
      return List.of();
    }
    List<ProbeTarget> out = new ArrayList<>();
    for (String spec : probes) {
      try {
        out.add(ProbeTarget.parse(spec));
      } catch (IllegalArgumentException e) {
        throw new UserException("--probe: " + e.getMessage(), 2);
      }
    }
    if (probeCount < 1 || probeCount > ProbeSource.MAX_COUNT) {
      throw new UserException(
          "--probe-count " + probeCount + " is outside 1-" + ProbeSource.MAX_COUNT, 2);
    }
    if (probeTimeout == null) {
      // Leave the source a fifth of its time to open and close the sockets.
      Duration fits = config.sourceTimeout().multipliedBy(4).dividedBy(5);
      probeTimeout = fits.compareTo(DEFAULT_PROBE_TIMEOUT) < 0 ? fits : DEFAULT_PROBE_TIMEOUT;
    }
    if (probeTimeout.isNegative() || probeTimeout.isZero()) {
      throw new UserException("--probe-timeout " + probeTimeout + " must be positive", 2);
    }
    if (probeTimeout.compareTo(config.sourceTimeout()) >= 0) {
      throw new UserException(
          "--probe-timeout "
              + probeTimeout.toMillis()
              + "ms must be shorter than the source timeout ("
              + config.sourceTimeout().toMillis()
              + "ms, 3/4 of --interval)",
          2);
    }
    return List.copyOf(out);
  }

  /**
   * Every source this host can run, built from the options, with what they hold open (netlink
   * sockets and namespace handles). Close it after the collector that runs them.
   */
  HostSources open(CollectorConfig config, CommandRunner runner) {
    // A command is killed by its own timeout before the collector abandons the whole call.
    Duration commandTimeout =
        Duration.ofMillis(Math.max(100, config.sourceTimeout().toMillis() * 4 / 5));
    Set<String> enabled = requestedSources();
    Set<String> networkNames = new LinkedHashSet<>(enabled);
    networkNames.retainAll(NetworkSourceOptions.ALL);
    NetworkSourceOptions network =
        new NetworkSourceOptions(
            networkNames,
            NameFilter.of(deviceInclude, deviceExclude),
            commandTimeout,
            firewallEvery,
            !noNetlink);
    NetworkSources opened = NetworkSources.open(config.hostPaths(), runner, network);
    try {
      Set<String> others = new LinkedHashSet<>(enabled);
      others.removeAll(NetworkSourceOptions.ALL);
      List<Source> all = new ArrayList<>(opened.sources());
      all.addAll(
          SourceCatalogue.build(
              new SourceContext(
                  config.hostPaths(),
                  opened.access(),
                  network,
                  ContainerSourceConfig.defaults(dockerSocket()).withPodLogDir(podLogDir),
                  kernelLookBack,
                  new SourceContext.Probes(probeTargets, probeCount, probeTimeout)),
              others));
      all.stream()
          .filter(ContainerSource.class::isInstance)
          .findFirst()
          .ifPresent(c -> containers = (ContainerSource) c);
      return new HostSources(List.copyOf(all), opened);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /**
   * The sources to run: {@code --sources}, or those on by default, and with {@code --drop-reasons}
   * the drop-reason source as well (off by default, as tracing the kernel needs root and tracefs).
   */
  Set<String> requestedSources() {
    Set<String> enabled = new LinkedHashSet<>(SourceCatalogue.enabled(sources));
    if (dropReasons) {
      enabled.add(DROP_REASONS);
    }
    return enabled;
  }

  /** The drop-reason source's name in {@code --sources}. */
  static final String DROP_REASONS = "dropreasons";

  /** The catalogue's source names, for the {@code --sources} help. */
  static final class SourceNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return SourceCatalogue.names().iterator();
    }
  }

  /** The sources of one collector and the namespace handles they share. */
  static final class HostSources implements AutoCloseable {
    private final List<Source> list;
    private final NetworkSources network;

    HostSources(List<Source> list, NetworkSources network) {
      this.list = list;
      this.network = network;
    }

    List<Source> list() {
      return list;
    }

    /**
     * Releases the netlink sockets and namespace handles, so deleted namespaces can be freed, and
     * what sources hold of their own (the drop-reason source's ftrace instance).
     */
    @Override
    public void close() {
      try {
        for (Source source : list) {
          if (source instanceof AutoCloseable closeable) {
            try {
              closeable.close();
            } catch (Exception e) {
              System.err.println("culprit: closing source " + source.name() + ": " + e);
            }
          }
        }
      } finally {
        network.close();
      }
    }
  }

  /** The namespaces to sample: the host's own always, others by the include/exclude options. */
  NamespaceFinder finder(CollectorConfig config) {
    // A container's namespace is labelled with the container's name (from the last scan).
    return new ProcNamespaceFinder(
        config.hostPaths(),
        NameFilter.of(netnsInclude, netnsExclude),
        pid -> containers == null ? Optional.empty() : containers.netnsNameForPid(pid));
  }

  private Path dockerSocket() {
    String v = dockerHost.trim();
    if (v.isEmpty() || v.equalsIgnoreCase("none")) {
      return null;
    }
    if (v.startsWith("unix://")) {
      return Path.of(v.substring("unix://".length()));
    }
    if (v.contains("://")) {
      throw new UserException(
          "--docker-host " + v + ": only unix:// sockets (or a socket path) are supported", 2);
    }
    return Path.of(v);
  }

  /** The runner every source's external command goes through; logs which binary each tool is. */
  CommandRunner runner() {
    ToolPath tools;
    try {
      tools = ToolPath.of(toolPath);
    } catch (IllegalArgumentException e) {
      throw new UserException("--tool-path " + toolPath + ": " + e.getMessage(), 2);
    }
    return new ProcessCommandRunner(tools);
  }
}
