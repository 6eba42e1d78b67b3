package dev.culprit.collector.source.iface;

import dev.culprit.collector.platform.procfs.ProcFiles;
import java.io.IOException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads link attributes from {@code /sys/class/net/DEV/{mtu,operstate,type,ifindex,iflink,uevent,
 * statistics/*}} — only valid for the namespace that mounted that sysfs, i.e. the collector's own.
 * Addresses come from {@link NetworkInterface}, which asks the kernel for the JVM's own namespace
 * too. No fork, a handful of tiny reads per device.
 */
public final class SysfsLinkReader {

  /** The counters /proc/net/dev lacks, as sysfs names them. */
  static final List<String> EXTRA_STATS =
      List.of("rx_missed_errors", "rx_over_errors", "rx_length_errors", "rx_crc_errors");

  /** ARPHRD_* numbers (include/uapi/linux/if_arp.h) under the names {@code ip} prints. */
  private static final Map<Long, String> ARPHRD =
      Map.ofEntries(
          Map.entry(1L, "ether"),
          Map.entry(32L, "infiniband"),
          Map.entry(512L, "ppp"),
          Map.entry(768L, "ipip"),
          Map.entry(769L, "tunnel6"),
          Map.entry(772L, "loopback"),
          Map.entry(776L, "sit"),
          Map.entry(778L, "gre"),
          Map.entry(801L, "ieee802.11"),
          Map.entry(823L, "ip6gre"),
          Map.entry(65534L, "none"));

  private final Path classNet;

  /**
   * iflink and link type never change while a device lives; a device re-created under the same name
   * gets a new ifindex, which misses this cache. Saves 3 of 10 sysfs reads per device.
   */
  private final Map<String, Fixed> fixed = new ConcurrentHashMap<>();

  private record Fixed(long ifindex, Long iflink, String linkType) {}

  public SysfsLinkReader(Path sysRoot) {
    this.classNet = sysRoot.resolve("class").resolve("net");
  }

  /** The device names this sysfs shows, sorted; empty when there is no such directory. */
  public List<String> deviceNames() {
    String[] names = classNet.toFile().list();
    if (names == null) {
      return List.of();
    }
    List<String> sorted = new ArrayList<>(List.of(names));
    Collections.sort(sorted);
    return sorted;
  }

  /**
   * Reads one device. Null when it vanished between listing and reading.
   *
   * @param addresses the device's addresses, from {@link #ownAddresses()}
   */
  public Link read(String name, List<String> addresses) throws IOException {
    Path dir = classNet.resolve(name);
    Long ifindex = ProcFiles.readLongOrNull(dir.resolve("ifindex"));
    if (ifindex == null) {
      return null;
    }
    Map<String, Long> extra = new HashMap<>(8);
    Path stats = dir.resolve("statistics");
    for (String stat : EXTRA_STATS) {
      Long value = ProcFiles.readLongOrNull(stats.resolve(stat));
      if (value != null) {
        extra.put(stat, value);
      }
    }
    Fixed known = fixed.get(name);
    if (known == null || known.ifindex() != ifindex) {
      known = new Fixed(ifindex, ProcFiles.readLongOrNull(dir.resolve("iflink")), linkType(dir));
      fixed.put(name, known);
      if (fixed.size() > 4096) {
        fixed.clear(); // devices churned (containers come and go): start over rather than leak
      }
    }
    Long iflink = known.iflink();
    Long mtu = ProcFiles.readLongOrNull(dir.resolve("mtu"));
    String operState = ProcFiles.readOrNull(dir.resolve("operstate"));
    return new Link(
        name,
        ifindex.intValue(),
        iflink == null ? null : iflink.intValue(),
        known.linkType(),
        operState == null ? null : operState.strip(),
        mtu == null ? null : mtu.intValue(),
        addresses,
        extra);
  }

  /** DEVTYPE from uevent (bridge, vlan, wlan) when the driver sets one, else the ARPHRD name. */
  private static String linkType(Path dir) throws IOException {
    String uevent = ProcFiles.readOrNull(dir.resolve("uevent"));
    if (uevent != null) {
      for (String line : uevent.split("\n")) {
        if (line.startsWith("DEVTYPE=")) {
          return line.substring("DEVTYPE=".length()).strip();
        }
      }
    }
    Long type = ProcFiles.readLongOrNull(dir.resolve("type"));
    return type == null ? null : ARPHRD.getOrDefault(type, "arphrd-" + type);
  }

  /** Addresses of every interface of the JVM's own namespace, by device name, in CIDR form. */
  public static Map<String, List<String>> ownAddresses() throws SocketException {
    Map<String, List<String>> out = new HashMap<>();
    var interfaces = NetworkInterface.getNetworkInterfaces();
    if (interfaces == null) {
      return out;
    }
    while (interfaces.hasMoreElements()) {
      NetworkInterface nif = interfaces.nextElement();
      List<String> cidrs = new ArrayList<>();
      for (InterfaceAddress address : nif.getInterfaceAddresses()) {
        cidrs.add(AddressFormat.cidr(address.getAddress(), address.getNetworkPrefixLength()));
      }
      // ip lists IPv4 before IPv6; keep that order so both readers agree.
      cidrs.sort((a, b) -> Boolean.compare(a.contains(":"), b.contains(":")));
      out.put(nif.getName(), cidrs);
    }
    return out;
  }
}
