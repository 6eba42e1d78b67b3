package dev.culprit.collector.source.softnet;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.records.SoftnetSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code softnet} source: {@code /proc/net/softnet_stat} (per-CPU backlog drops, time squeeze,
 * RPS) and {@code /proc/sys/net/core/netdev_max_backlog}, the backlog bound those drops hit.
 *
 * <p>{@link Scope#HOST}: the kernel keeps these statistics per CPU ({@code softnet_data}), not per
 * network namespace; {@code softnet_stat} shows the same rows in every namespace, and {@code
 * netdev_max_backlog} is one global setting. Reading them once per namespace would publish the same
 * counters many times and make one CPU's drops look like every namespace's. The sample carries the
 * host namespace (netns ""), so the processor judges it in the host namespace's window.
 */
public final class SoftnetSource extends NamedSource {

  /** The file, relative to the procfs root. */
  public static final String STAT = "net/softnet_stat";

  /** The backlog bound, relative to the procfs root. */
  public static final String MAX_BACKLOG = "sys/net/core/netdev_max_backlog";

  private final Path stat;
  private final Path maxBacklog;

  public SoftnetSource(HostPaths paths) {
    super("softnet", Scope.HOST);
    this.stat = paths.procRoot().resolve(STAT);
    this.maxBacklog = paths.procRoot().resolve(MAX_BACKLOG);
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    String text = ProcFiles.readOrNull(stat);
    if (text == null) {
      throw new NoDataException("no " + stat);
    }
    SoftnetSample sample =
        SoftnetSample.newBuilder(header.stamp(new SoftnetSample()))
            .setCpus(SoftnetStatParser.parse(stat.toString(), text))
            .setNetdevMaxBacklog(ProcFiles.readLongOrNull(maxBacklog))
            .build();
    return List.of(new Sample(WireTopics.SOFTNET, header.host(), sample));
  }
}
