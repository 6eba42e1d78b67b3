package dev.culprit.collector.source;

import dev.culprit.collector.platform.Require;
import dev.culprit.collector.records.WireTopic;
import dev.culprit.collector.spi.Source;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One source as the {@link SourceCatalogue} registers it: everything the options, the help, fixture
 * capture and the assembly need to know about it without naming it.
 *
 * @param name the name in {@code --sources}, health records and logs
 * @param group who builds it: see {@link Group}
 * @param onByDefault whether it runs when {@code --sources} is not given
 * @param scope once per network namespace, or once per host
 * @param topic the topic its samples go to
 * @param kernelFiles the procfs files it reads, relative to the procfs root ({@code net/dev},
 *     {@code sys/net/core/netdev_max_backlog}); for a per-namespace source, {@code net/…} is read
 *     in each namespace
 * @param commands the commands it runs in each namespace, by the file name a fixture capture saves
 *     their output under
 * @param factory builds it from the shared context; empty when it has nothing to do here (the probe
 *     source without targets)
 */
public record SourceSpec(
    String name,
    Group group,
    boolean onByDefault,
    Source.Scope scope,
    WireTopic<?> topic,
    List<String> kernelFiles,
    Map<String, List<String>> commands,
    Factory factory) {

  public SourceSpec {
    Require.nonNull(
        "name", name, "group", group, "scope", scope, "topic", topic, "factory", factory);
    kernelFiles = List.copyOf(kernelFiles);
    commands = Map.copyOf(commands);
  }

  /** Which assembly builds a source, by what it shares with others. */
  public enum Group {
    /**
     * Read through the namespace handles and netlink sockets one {@link NetworkSources} owns (or,
     * host-wide, from procfs), with the network options (devices, firewall cadence).
     */
    NETWORK,
    /** Containers, cgroups and the kernel log: follower threads of their own. */
    CONTAINER,
    /** Active TCP probes, only when targets are given. */
    PROBE,
    /** Kernel tracepoints through an ftrace instance of its own ({@code --drop-reasons}). */
    TRACE
  }

  /** Builds a source from what the collector shares between sources. */
  @FunctionalInterface
  public interface Factory {
    Optional<Source> create(SourceContext context);
  }
}
