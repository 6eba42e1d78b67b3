package dev.culprit.collector.source.protocol;

import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code protocol} source: {@code net/snmp}, {@code net/netstat} and, when IPv6 is loaded,
 * {@code net/snmp6} of one namespace, as one map of {@code Group.Name} counters (sorted, so equal
 * input gives byte-equal records).
 */
public final class ProtocolSource extends NamedSource {

  static final List<String> FILES = List.of("snmp", "netstat", "snmp6");

  private final NetnsAccess access;

  public ProtocolSource(NetnsAccess access) {
    super("protocol", Scope.PER_NETNS);
    this.access = access;
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    Map<String, String> files = access.readNetFiles(netns, FILES);
    if (files.get("snmp") == null) {
      throw new NoDataException("no net/snmp in network namespace " + netns.label());
    }
    Map<String, Long> counters = new TreeMap<>();
    String where = netns.pid() == null ? netns.nsPath() + " " : "/proc/" + netns.pid() + "/";
    SnmpParser.parsePairs(where + "net/snmp", files.get("snmp"), counters);
    if (files.containsKey("netstat")) {
      SnmpParser.parsePairs(where + "net/netstat", files.get("netstat"), counters);
    }
    if (files.containsKey("snmp6")) {
      SnmpParser.parseSnmp6(where + "net/snmp6", files.get("snmp6"), counters);
    }
    ProtocolSample sample = header.stamp(new ProtocolSample());
    sample.setCounters(counters);
    return List.of(new Sample(WireTopics.PROTOCOL, header.host(), sample));
  }
}
