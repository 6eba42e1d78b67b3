package dev.culprit.collector.source;

import dev.culprit.collector.platform.Require;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.container.ContainerSourceConfig;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.source.probe.ProbeTarget;
import java.time.Duration;
import java.util.List;

/**
 * What the catalogue's factories build sources from: the host's paths, the shared namespace access
 * and each group's settings.
 *
 * @param paths the host's /proc, /sys, cgroup root and /dev/kmsg
 * @param access how namespaces are read (shared handles and sockets of one {@link NetworkSources});
 *     null when only sources that never enter a namespace (containers, kernel log) are built
 * @param network devices, command timeout and firewall cadence of the network sources
 * @param containers the container source's settings ({@code --docker-host} and friends)
 * @param kernelLookBack how far back kernel OOM kills are reported when the collector starts
 * @param probes the {@code --probe} targets and how to probe them; no targets = no probe source
 */
public record SourceContext(
    HostPaths paths,
    NetnsAccess access,
    NetworkSourceOptions network,
    ContainerSourceConfig containers,
    Duration kernelLookBack,
    Probes probes) {

  public SourceContext {
    Require.nonNull(
        "paths",
        paths,
        "network",
        network,
        "containers",
        containers,
        "kernelLookBack",
        kernelLookBack,
        "probes",
        probes);
  }

  /** For the network group alone: containers and probes at their defaults (never built). */
  public static SourceContext forNetwork(
      HostPaths paths, NetnsAccess access, NetworkSourceOptions network) {
    return new SourceContext(
        paths,
        access,
        network,
        ContainerSourceConfig.defaults(null),
        KernelOomSource.DEFAULT_LOOK_BACK,
        Probes.none());
  }

  /**
   * The probe settings.
   *
   * @param targets where to probe; empty = no probe source
   * @param count probes per target per cycle
   * @param timeout how long one probe waits
   */
  public record Probes(List<ProbeTarget> targets, int count, Duration timeout) {

    public Probes {
      targets = List.copyOf(targets);
    }

    /** No targets: the probe source is not built. */
    public static Probes none() {
      return new Probes(List.of(), 1, Duration.ofMillis(900));
    }
  }
}
