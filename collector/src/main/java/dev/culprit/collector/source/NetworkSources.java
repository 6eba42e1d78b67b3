package dev.culprit.collector.source;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.netlink.NetlinkException;
import dev.culprit.collector.platform.netlink.NetnsHandleCache;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.spi.Source;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the network sources (the {@link SourceSpec.Group#NETWORK} entries of the {@link
 * SourceCatalogue}) the collector runs, and owns what they share: the per-namespace netlink sockets
 * and file handles. Whether those work here is decided once, when the sources are built, and
 * logged.
 */
public final class NetworkSources implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NetworkSources.class);

  /** How often handles of vanished namespaces are looked for (each holds its namespace alive). */
  private static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

  /** Handles of a namespace no cycle asked for this long (filtered out, say) are closed. */
  private static final Duration IDLE_AFTER = Duration.ofMinutes(2);

  private final List<Source> sources;
  private final NetnsAccess access;
  private final NetnsHandleCache handles;
  private final String readPath;

  private NetworkSources(
      List<Source> sources, NetnsAccess access, NetnsHandleCache handles, String readPath) {
    this.sources = sources;
    this.access = access;
    this.handles = handles;
    this.readPath = readPath;
  }

  /**
   * The enabled sources in catalogue order with their shared namespace handles; {@link #close()}
   * releases those.
   */
  public static NetworkSources open(
      HostPaths paths, CommandRunner runner, NetworkSourceOptions options) {
    NetnsHandleCache handles = null;
    String readPath;
    String noHandlesReason = null;
    if (!options.netlink()) {
      readPath = "forking ip/tc/nsenter (netlink turned off)";
      noHandlesReason = "--no-netlink is set";
    } else {
      try {
        handles = NetnsHandleCache.open(SWEEP_EVERY, IDLE_AFTER);
        readPath = "netlink sockets and namespace file handles";
      } catch (NetlinkException e) {
        readPath = "forking ip/tc/nsenter (netlink unavailable: " + e.getMessage() + ")";
        noHandlesReason = "netlink is unavailable here: " + e.getMessage();
      }
    }
    LOG.info("network sources read namespaces by {}", readPath);
    NetnsAccess access = new NetnsAccess(paths, runner, options.commandTimeout(), handles);
    if (noHandlesReason != null) {
      access = access.withNoHandlesReason(noHandlesReason);
    }
    List<Source> sources =
        SourceCatalogue.build(SourceContext.forNetwork(paths, access, options), options.enabled());
    return new NetworkSources(sources, access, handles, readPath);
  }

  /**
   * The enabled sources, for callers that never close them: their namespace handles then live until
   * the JVM exits. Prefer {@link #open}.
   */
  public static List<Source> create(
      HostPaths paths, CommandRunner runner, NetworkSourceOptions options) {
    return open(paths, runner, options).sources();
  }

  public List<Source> sources() {
    return sources;
  }

  /**
   * How these sources reach namespaces (open handles, the namespace thread, forking): for other
   * sources that need the same, such as the probe source. Valid until {@link #close()}.
   */
  public NetnsAccess access() {
    return access;
  }

  /** Whether namespaces are read through netlink and open handles rather than by forking. */
  public boolean usesNetlink() {
    return handles != null;
  }

  /** How namespaces are read, in words (for logs and health). */
  public String readPath() {
    return readPath;
  }

  @Override
  public void close() {
    if (handles != null) {
      handles.close();
    }
  }
}
