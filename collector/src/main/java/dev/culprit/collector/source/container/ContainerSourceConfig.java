package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.Require;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the container source.
 *
 * @param dockerSocket the Docker Engine socket ({@code --docker-host}); null = do not talk to an
 *     engine. A socket that does not exist is not an error: the source samples cgroups only.
 * @param dockerTimeout deadline of one engine request
 * @param lookBack on start, engine events this far back are replayed, so a container that died just
 *     before the collector started is still reported
 * @param oomDedupWindow a second {@code oom} event of the same container within this window is the
 *     same kill (dockerd sometimes sends two, 1 ms apart)
 * @param probeJvms whether to look for JVMs in each container and read their heap ceilings
 * @param podLogDir the kubelet's pod log directory ({@code --pod-log-dir}, {@code /var/log/pods}):
 *     it names the pods and containers of kubelet cgroups; absent = no pod names
 */
public record ContainerSourceConfig(
    Path dockerSocket,
    Duration dockerTimeout,
    Duration lookBack,
    Duration oomDedupWindow,
    boolean probeJvms,
    Path podLogDir) {

  /** Docker's default socket. */
  public static final Path DEFAULT_DOCKER_SOCKET = Path.of("/var/run/docker.sock");

  /** The kubelet's pod log directory. */
  public static final Path DEFAULT_POD_LOG_DIR = Path.of("/var/log/pods");

  public ContainerSourceConfig {
    Require.nonNull(
        "dockerTimeout",
        dockerTimeout,
        "lookBack",
        lookBack,
        "oomDedupWindow",
        oomDedupWindow,
        "podLogDir",
        podLogDir);
  }

  /** The defaults, with the engine at {@code dockerSocket} (null for none). */
  public static ContainerSourceConfig defaults(Path dockerSocket) {
    return new ContainerSourceConfig(
        dockerSocket,
        Duration.ofSeconds(5),
        Duration.ofMinutes(2),
        Duration.ofSeconds(2),
        true,
        DEFAULT_POD_LOG_DIR);
  }

  /** These settings with the pod log directory at {@code dir}. */
  public ContainerSourceConfig withPodLogDir(Path dir) {
    return new ContainerSourceConfig(
        dockerSocket, dockerTimeout, lookBack, oomDedupWindow, probeJvms, dir);
  }
}
