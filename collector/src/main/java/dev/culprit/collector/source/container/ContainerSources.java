package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.SourceCatalogue;
import dev.culprit.collector.source.SourceContext;
import dev.culprit.collector.source.SourceSpec;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.spi.Source;
import java.time.Duration;
import java.util.List;

/**
 * The container-side sources of one host (the catalogue's {@link SourceSpec.Group#CONTAINER}
 * entries), for the collector to run: {@code container} (cgroups, engine, JVMs) and {@code kernel}
 * (OOM kills from the kernel log). Both are {@link AutoCloseable}: they follow the engine's events
 * and the kernel log on daemon threads started by their first collect; close them when the
 * collector stops.
 */
public final class ContainerSources {

  private ContainerSources() {}

  /**
   * @param paths the host's /proc, /sys, cgroup root and /dev/kmsg
   * @param config the container source's settings ({@code --docker-host} and friends)
   * @param kernelLookBack how far back kernel OOM kills are reported when the collector starts
   */
  public static List<Source> create(
      HostPaths paths, ContainerSourceConfig config, Duration kernelLookBack) {
    return SourceCatalogue.build(
        new SourceContext(
            paths,
            null,
            NetworkSourceOptions.defaults(),
            config,
            kernelLookBack,
            SourceContext.Probes.none()),
        SourceCatalogue.names(SourceSpec.Group.CONTAINER));
  }

  /** The defaults: Docker at its default socket, kernel kills from the last two minutes. */
  public static List<Source> defaults(HostPaths paths) {
    return create(
        paths,
        ContainerSourceConfig.defaults(ContainerSourceConfig.DEFAULT_DOCKER_SOCKET),
        KernelOomSource.DEFAULT_LOOK_BACK);
  }
}
