package dev.culprit.collector.net.qdisc;

import dev.culprit.collector.CommandRunner.CommandException;
import dev.culprit.collector.Header;
import dev.culprit.collector.Netns;
import dev.culprit.collector.Sample;
import dev.culprit.collector.Source;
import dev.culprit.collector.net.NameFilter;
import dev.culprit.collector.net.NetnsAccess;
import dev.culprit.collector.net.ParseException;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code qdisc} source: every qdisc of every device, root and child, from {@code tc -s -j qdisc
 * show} run inside the namespace, falling back to the text of {@code tc -s qdisc show} when this tc
 * has no JSON output (iproute2 before 4.19) or its JSON does not parse. No {@code tc} on the host
 * is NO_DATA. One fork per namespace per cycle: qdisc statistics have no procfs file, and netlink
 * from Java would need a native library.
 */
public final class QdiscSource implements Source {

  static final List<String> TC_JSON = List.of("tc", "-s", "-j", "qdisc", "show");
  static final List<String> TC_TEXT = List.of("tc", "-s", "qdisc", "show");
  private static final Logger LOG = LoggerFactory.getLogger(QdiscSource.class);

  private final NetnsAccess access;
  private final NameFilter devices;
  private volatile boolean jsonWorks = true;

  public QdiscSource(NetnsAccess access, NameFilter devices) {
    this.access = access;
    this.devices = devices;
  }

  @Override
  public String name() {
    return "qdisc";
  }

  @Override
  public Scope scope() {
    return Scope.PER_NETNS;
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    List<QdiscStats> all = read(netns);
    List<QdiscStats> kept = new ArrayList<>(all.size());
    for (QdiscStats q : all) {
      if (devices.test(q.getDevice())) {
        kept.add(q);
      }
    }
    QdiscSample sample =
        QdiscSample.newBuilder()
            .setHost(header.host())
            .setNetns(header.netns())
            .setSampleTimeMs(header.sampleTimeMs())
            .setCollectorId(header.collectorId())
            .setBootId(header.bootId())
            .setSeq(0)
            .setQdiscs(kept)
            .build();
    return List.of(new Sample(Topics.QDISC, header.host(), sample));
  }

  private List<QdiscStats> read(Netns netns) throws Exception {
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
}
