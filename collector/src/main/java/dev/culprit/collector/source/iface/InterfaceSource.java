package dev.culprit.collector.source.iface;

import static dev.culprit.collector.source.PerNamespaceLimits.MAX_ADDRESSES;
import static dev.culprit.collector.source.PerNamespaceLimits.MAX_INTERFACES;

import dev.culprit.collector.platform.netlink.AddressMessages;
import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.NlAddress;
import dev.culprit.collector.platform.netlink.NlLink;
import dev.culprit.collector.platform.netlink.Rtnl;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.InterfaceSample;
import dev.culprit.collector.records.InterfaceStats;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.PerNamespaceLimits;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code interface} source: every interface of a namespace with its {@code /proc/net/dev}
 * counters, MTU, operstate, link type, ifindex/iflink, addresses and the ring/length/CRC error
 * counters netstat -i lacks.
 *
 * <p>With namespace handles (netlink available), everything comes from two rtnetlink dumps over the
 * namespace's own socket — RTM_GETLINK with IFLA_STATS64, RTM_GETADDR — in every namespace alike:
 * no fork, no sysfs walk (see {@link NetlinkInterfaces} for how the records stay equal to the other
 * path's).
 *
 * <p>Without handles: counters from {@code net/dev}; in the collector's own namespace the
 * attributes come from sysfs and {@link java.net.NetworkInterface} (no fork). Elsewhere sysfs shows
 * the wrong namespace, so one {@code ip -j -s -s -d address show} runs inside it. Without {@code
 * ip} the counters are still published and the attributes stay null: absent, not zero.
 */
public final class InterfaceSource extends NamedSource {

  static final List<String> IP_ADDRESS_SHOW =
      List.of("ip", "-j", "-s", "-s", "-d", "address", "show");
  private static final Logger LOG = LoggerFactory.getLogger(InterfaceSource.class);

  /** Dumps again when the kernel says the list changed under the dump; then takes what came. */
  private static final int DUMP_ATTEMPTS = 3;

  private final NetnsAccess access;
  private final NameFilter devices;
  private final SysfsLinkReader sysfs;

  public InterfaceSource(NetnsAccess access, NameFilter devices) {
    super("interface", Scope.PER_NETNS);
    this.access = access;
    this.devices = devices;
    this.sysfs = new SysfsLinkReader(access.paths().sysRoot());
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    NetnsHandles handles = access.handles(netns);
    List<InterfaceStats> interfaces =
        handles != null ? readNetlink(handles) : readProcAndAttributes(netns);
    InterfaceSample sample = header.stamp(new InterfaceSample());
    sample.setInterfaces(interfaces);
    return List.of(new Sample(WireTopics.INTERFACE, header.host(), sample));
  }

  private List<InterfaceStats> readNetlink(NetnsHandles handles)
      throws IOException, NoDataException {
    List<NlLink> links = new ArrayList<>();
    List<NlAddress> addresses = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      links.clear();
      addresses.clear();
      // Counted as they stream past; only the first MAX_* are parsed and kept.
      boolean interrupted = PerNamespaceLimits.dumpLinks(handles, DumpRequest.LINKS, links);
      interrupted |=
          PerNamespaceLimits.dump(
              handles,
              DumpRequest.ADDRESSES,
              Rtnl.RTM_NEWADDR,
              AddressMessages::parse,
              addresses,
              MAX_ADDRESSES,
              "addresses");
      if (!interrupted || attempt == DUMP_ATTEMPTS) {
        return NetlinkInterfaces.records(links, addresses, devices);
      }
    }
  }

  private List<InterfaceStats> readProcAndAttributes(Netns netns) throws Exception {
    String devText = access.readNetFiles(netns, List.of("dev")).get("dev");
    if (devText == null) {
      throw new NoDataException("no net/dev in network namespace " + label(netns));
    }
    List<NetDevParser.Device> rows = NetDevParser.parse(source(netns), devText);
    PerNamespaceLimits.check(rows.size(), MAX_INTERFACES, "interfaces");
    Map<String, Link> links = links(netns, rows);
    List<InterfaceStats> interfaces = new ArrayList<>(rows.size());
    Set<String> seen = new HashSet<>();
    for (NetDevParser.Device row : rows) {
      if (devices.test(row.name())) {
        interfaces.add(stats(row, links.get(row.name())));
        seen.add(row.name());
      }
    }
    for (Link link : links.values()) {
      // Created between reading net/dev and listing links: ip's stats64 has its counters.
      if (!seen.contains(link.name()) && devices.test(link.name())) {
        interfaces.add(stats(null, link));
      }
    }
    return interfaces;
  }

  private Map<String, Link> links(Netns netns, List<NetDevParser.Device> rows) throws Exception {
    Map<String, Link> out = new HashMap<>();
    if (access.isOwn(netns) && sysfsShows(rows)) {
      Map<String, List<String>> addresses = SysfsLinkReader.ownAddresses();
      for (NetDevParser.Device row : rows) {
        if (devices.test(row.name())) {
          Link link = sysfs.read(row.name(), addresses.getOrDefault(row.name(), List.of()));
          if (link != null) {
            out.put(link.name(), link);
          }
        }
      }
      return out;
    }
    String json;
    try {
      json = access.run(netns, IP_ADDRESS_SHOW);
    } catch (NoDataException e) {
      LOG.debug("no link attributes in {}: {}", label(netns), e.getMessage());
      return out;
    }
    for (Link link : IpLinkJsonParser.parse(String.join(" ", IP_ADDRESS_SHOW), json)) {
      out.put(link.name(), link);
    }
    return out;
  }

  /**
   * sysfs is tied to the namespace that mounted it; trust it only when it lists exactly the devices
   * of the namespace being read (a container with the host's /sys bind-mounted fails).
   */
  private boolean sysfsShows(List<NetDevParser.Device> rows) {
    List<String> names = new ArrayList<>(rows.size());
    for (NetDevParser.Device row : rows) {
      names.add(row.name());
    }
    names.sort(null);
    return names.equals(sysfs.deviceNames());
  }

  static InterfaceStats stats(NetDevParser.Device row, Link link) {
    InterfaceStats.Builder b = InterfaceStats.newBuilder();
    Map<String, Long> extra = link == null ? Map.of() : link.extra();
    b.setName(row != null ? row.name() : link.name());
    if (link != null) {
      b.setIfindex(link.ifindex())
          .setPeerIfindex(link.iflink())
          .setLinkType(link.linkType())
          .setOperState(link.operState())
          .setMtu(link.mtu())
          .setAddresses(link.addresses());
    }
    if (row != null) {
      b.setRxBytes(row.rxBytes())
          .setRxPackets(row.rxPackets())
          .setRxErrors(row.rxErrors())
          .setRxDropped(row.rxDropped())
          .setRxFifo(row.rxFifo())
          .setRxFrame(row.rxFrame())
          .setRxCompressed(row.rxCompressed())
          .setRxMulticast(row.rxMulticast())
          .setTxBytes(row.txBytes())
          .setTxPackets(row.txPackets())
          .setTxErrors(row.txErrors())
          .setTxDropped(row.txDropped())
          .setTxFifo(row.txFifo())
          .setTxCollisions(row.txCollisions())
          .setTxCarrier(row.txCarrier())
          .setTxCompressed(row.txCompressed());
    } else {
      b.setRxBytes(extra.get("rx_bytes"))
          .setRxPackets(extra.get("rx_packets"))
          .setRxErrors(extra.get("rx_errors"))
          .setRxDropped(extra.get("rx_dropped"))
          .setRxFifo(extra.get("rx_fifo_errors"))
          .setRxFrame(extra.get("rx_frame_errors"))
          .setRxCompressed(extra.get("rx_compressed"))
          .setRxMulticast(extra.get("multicast"))
          .setTxBytes(extra.get("tx_bytes"))
          .setTxPackets(extra.get("tx_packets"))
          .setTxErrors(extra.get("tx_errors"))
          .setTxDropped(extra.get("tx_dropped"))
          .setTxFifo(extra.get("tx_fifo_errors"))
          .setTxCollisions(extra.get("collisions"))
          .setTxCarrier(extra.get("tx_carrier_errors"))
          .setTxCompressed(extra.get("tx_compressed"));
    }
    b.setRxMissedErrors(extra.get("rx_missed_errors"))
        .setRxOverErrors(extra.get("rx_over_errors"))
        .setRxLengthErrors(extra.get("rx_length_errors"))
        .setRxCrcErrors(extra.get("rx_crc_errors"));
    return b.build();
  }

  private String source(Netns netns) {
    return (netns.pid() == null
        ? "net/dev of " + label(netns)
        : "/proc/" + netns.pid() + "/net/dev");
  }

  static String label(Netns netns) {
    return netns.label().isEmpty() ? "the host namespace" : netns.label();
  }
}
