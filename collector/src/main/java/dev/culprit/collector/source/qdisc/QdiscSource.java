package dev.culprit.collector.source.qdisc;

import static dev.culprit.collector.source.PerNamespaceLimits.MAX_QDISCS;

import dev.culprit.collector.platform.exec.CommandRunner.CommandException;
import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.NlLink;
import dev.culprit.collector.platform.netlink.NlQdisc;
import dev.culprit.collector.platform.netlink.QdiscMessages;
import dev.culprit.collector.platform.netlink.Rtnl;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.records.QdiscSample;
import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.PerNamespaceLimits;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.ParseException;
import dev.culprit.collector.spi.Sample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code qdisc} source: every qdisc of every device, root and child.
 *
 * <p>With namespace handles, from two rtnetlink dumps over the namespace's own socket (RTM_GETLINK
 * without statistics for the device names, RTM_GETQDISC): no fork, a few tens of microseconds —
 * qdisc statistics have no procfs file, and one {@code tc} fork costs about 2 ms of CPU. The
 * records are those {@code tc -s -j} gives (see {@link NetlinkQdiscs}).
 *
 * <p>Without handles (no netlink here), from {@code tc -s -j qdisc show} run inside the namespace,
 * falling back to the text of {@code tc -s qdisc show} when this tc has no JSON output (iproute2
 * before 4.19) or its JSON does not parse. No {@code tc} on the host is NO_DATA.
 */
public final class QdiscSource extends NamedSource {

  static final List<String> TC_JSON = List.of("tc", "-s", "-j", "qdisc", "show");
  static final List<String> TC_TEXT = List.of("tc", "-s", "qdisc", "show");
  private static final Logger LOG = LoggerFactory.getLogger(QdiscSource.class);

  /** Dumps again when the kernel says the list changed under the dump; then takes what came. */
  private static final int DUMP_ATTEMPTS = 3;

  private final NetnsAccess access;
  private final NameFilter devices;
  private final TcCore core;
  private volatile boolean jsonWorks = true;

  public QdiscSource(NetnsAccess access, NameFilter devices) {
    super("qdisc", Scope.PER_NETNS);
    this.access = access;
    this.devices = devices;
    this.core = TcCore.fromPsched(psched(access));
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    List<QdiscStats> all = read(netns);
    PerNamespaceLimits.check(all.size(), MAX_QDISCS, "qdiscs");
    List<QdiscStats> kept = new ArrayList<>(all.size());
    for (QdiscStats q : all) {
      if (devices.test(q.getDevice())) {
        kept.add(q);
      }
    }
    QdiscSample sample = header.stamp(new QdiscSample());
    sample.setQdiscs(kept);
    return List.of(new Sample(WireTopics.QDISC, header.host(), sample));
  }

  private List<QdiscStats> read(Netns netns) throws Exception {
    NetnsHandles handles = access.handles(netns);
    if (handles != null) {
      return readNetlink(handles);
    }
    if (jsonWorks) {
      try {
        return TcQdiscJsonParser.parse(String.join(" ", TC_JSON), access.run(netns, TC_JSON));
      } catch (CommandException | ParseException e) {
        // Remember: an old tc fails the same way every cycle, don't fork twice each time.
        LOG.info("tc -j failed ({}); reading tc's text output from now on", e.getMessage());
        jsonWorks = false;
      }
    }
    return TcQdiscTextParser.parse(String.join(" ", TC_TEXT), access.run(netns, TC_TEXT), null);
  }

  private List<QdiscStats> readNetlink(NetnsHandles handles) throws IOException, NoDataException {
    List<NlLink> links = new ArrayList<>();
    List<NlQdisc> qdiscs = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      links.clear();
      qdiscs.clear();
      // Counted as they stream past; only the first MAX_* are parsed and kept.
      boolean interrupted = PerNamespaceLimits.dumpLinks(handles, DumpRequest.LINK_NAMES, links);
      interrupted |=
          PerNamespaceLimits.dump(
              handles,
              DumpRequest.QDISCS,
              Rtnl.RTM_NEWQDISC,
              QdiscMessages::parse,
              qdiscs,
              MAX_QDISCS,
              "qdiscs");
      if (!interrupted || attempt == DUMP_ATTEMPTS) {
        return NetlinkQdiscs.records(qdiscs, links, core);
      }
    }
  }

  /** psched is the same in every namespace; tc reads it to turn kernel ticks into time. */
  private static String psched(NetnsAccess access) {
    try {
      return ProcFiles.readOrNull(access.paths().procRoot().resolve("net").resolve("psched"));
    } catch (IOException e) {
      return null;
    }
  }
}
