package dev.culprit.collector.source.conntrack;

import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.records.ConntrackSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code conntrack} source.
 *
 * <ul>
 *   <li>{@code count}: in the collector's own namespace {@code
 *       /proc/sys/net/netfilter/nf_conntrack_count}; elsewhere the {@code entries} column of that
 *       namespace's {@code net/stat/nf_conntrack}, which is the same number ({@code /proc/sys/net}
 *       always shows the reader's namespace, so the sysctl cannot be read for another one without a
 *       fork).
 *   <li>{@code max}, {@code buckets}: global kernel values ({@code nf_conntrack_max} is shared by
 *       all namespaces: one table size limits them all), so every namespace reports the host's.
 *   <li>{@code stats}: {@code net/stat/nf_conntrack} summed over CPUs.
 * </ul>
 *
 * <p>When conntrack is not loaded ({@code net/stat/nf_conntrack} absent) the source publishes a
 * sample with {@code available=false} and nothing else, in every namespace alike: "not loaded" is a
 * state the processor should see (no CONNTRACK_TABLE_FULL can happen), not a failure.
 */
public final class ConntrackSource extends NamedSource {

  static final String STAT = "stat/nf_conntrack";

  private final NetnsAccess access;
  private final Path sysctlDir;

  public ConntrackSource(NetnsAccess access) {
    super("conntrack", Scope.PER_NETNS);
    this.access = access;
    this.sysctlDir = access.paths().procRoot().resolve("sys").resolve("net").resolve("netfilter");
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    String stat = access.readNetFiles(netns, List.of(STAT)).get(STAT);
    ConntrackSample.Builder b = ConntrackSample.newBuilder(header.stamp(new ConntrackSample()));
    if (stat == null) {
      b.setAvailable(false).setStats(new TreeMap<>());
    } else {
      String where = netns.pid() == null ? netns.nsPath() + " " : "/proc/" + netns.pid() + "/";
      Map<String, Long> stats = ConntrackStatParser.parse(where + "net/" + STAT, stat);
      Long count = access.isOwn(netns) ? sysctl("nf_conntrack_count") : null;
      b.setAvailable(true)
          .setCount(count != null ? count : stats.get(ConntrackStatParser.ENTRIES))
          .setMax(sysctl("nf_conntrack_max"))
          .setBuckets(sysctl("nf_conntrack_buckets"))
          .setStats(stats);
    }
    return List.of(new Sample(WireTopics.CONNTRACK, header.host(), b.build()));
  }

  private Long sysctl(String name) throws IOException {
    return ProcFiles.readLongOrNull(sysctlDir.resolve(name));
  }
}
