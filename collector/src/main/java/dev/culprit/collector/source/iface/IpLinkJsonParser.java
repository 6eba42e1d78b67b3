package dev.culprit.collector.source.iface;

import com.fasterxml.jackson.databind.JsonNode;
import dev.culprit.collector.source.JsonArrayOutput;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code ip -j -s -s -d address show}: one JSON object per interface with its MTU,
 * operstate, link type, {@code linkinfo.info_kind}, {@code link_index} (the veth peer), {@code
 * addr_info} and {@code stats64}.
 *
 * <pre>
 * [{"ifindex":14,"link_index":13,"ifname":"cufx-a0","mtu":1500,"operstate":"UP",
 *   "link_type":"ether","linkinfo":{"info_kind":"veth"},
 *   "addr_info":[{"family":"inet","local":"10.250.9.1","prefixlen":24,...}],
 *   "stats64":{"rx":{"bytes":1064,"packets":16,"errors":0,"dropped":0,"over_errors":0,
 *     "multicast":0,"length_errors":0,"crc_errors":0,"frame_errors":0,"fifo_errors":0,
 *     "missed_errors":0},"tx":{...}}}]
 * </pre>
 *
 * <p>The stats64 names are mapped onto the sysfs statistics names so both readers fill {@link
 * Link#extra()} alike. A counter ip does not print (older iproute2 omits {@code missed_errors};
 * {@code compressed} appears only when non-zero) stays absent.
 */
public final class IpLinkJsonParser {

  /** stats64 names (rx./tx. prefixed) to sysfs statistics file names. */
  static final Map<String, String> STAT_NAMES =
      Map.ofEntries(
          Map.entry("rx.bytes", "rx_bytes"),
          Map.entry("rx.packets", "rx_packets"),
          Map.entry("rx.errors", "rx_errors"),
          Map.entry("rx.dropped", "rx_dropped"),
          Map.entry("rx.over_errors", "rx_over_errors"),
          Map.entry("rx.multicast", "multicast"),
          Map.entry("rx.compressed", "rx_compressed"),
          Map.entry("rx.length_errors", "rx_length_errors"),
          Map.entry("rx.crc_errors", "rx_crc_errors"),
          Map.entry("rx.frame_errors", "rx_frame_errors"),
          Map.entry("rx.fifo_errors", "rx_fifo_errors"),
          Map.entry("rx.missed_errors", "rx_missed_errors"),
          Map.entry("tx.bytes", "tx_bytes"),
          Map.entry("tx.packets", "tx_packets"),
          Map.entry("tx.errors", "tx_errors"),
          Map.entry("tx.dropped", "tx_dropped"),
          Map.entry("tx.carrier_errors", "tx_carrier_errors"),
          Map.entry("tx.collisions", "collisions"),
          Map.entry("tx.compressed", "tx_compressed"),
          Map.entry("tx.fifo_errors", "tx_fifo_errors"),
          Map.entry("tx.aborted_errors", "tx_aborted_errors"),
          Map.entry("tx.window_errors", "tx_window_errors"),
          Map.entry("tx.heartbeat_errors", "tx_heartbeat_errors"));

  private IpLinkJsonParser() {}

  /**
   * Parses the command's stdout.
   *
   * @param source the command, for error messages
   */
  public static List<Link> parse(String source, String json) throws ParseException {
    JsonNode root = JsonArrayOutput.read(source, json, "interfaces");
    Map<String, Integer> indexByName = new HashMap<>();
    for (JsonNode link : root) {
      if (link.hasNonNull("ifname") && link.path("ifindex").canConvertToInt()) {
        indexByName.put(link.get("ifname").asText(), link.get("ifindex").asInt());
      }
    }
    List<Link> links = new ArrayList<>(root.size());
    for (JsonNode link : root) {
      if (!link.hasNonNull("ifname")) {
        throw new ParseException(source, 0, "interface without ifname: " + link);
      }
      String name = link.get("ifname").asText();
      Integer ifindex = intOrNull(link.get("ifindex"));
      links.add(
          new Link(
              name,
              ifindex,
              iflink(link, ifindex, indexByName),
              linkType(link),
              link.hasNonNull("operstate")
                  ? link.get("operstate").asText().toLowerCase(Locale.ROOT)
                  : null,
              intOrNull(link.get("mtu")),
              addresses(link.get("addr_info")),
              stats(link.get("stats64"))));
    }
    return links;
  }

  /**
   * ip prints {@code link_index} only when iflink differs from ifindex and the peer is in another
   * namespace, and {@code link: NAME} when the peer is in this one; sysfs always has iflink.
   */
  private static Integer iflink(JsonNode link, Integer ifindex, Map<String, Integer> byName) {
    if (link.path("link_index").canConvertToInt()) {
      return link.get("link_index").asInt();
    }
    if (link.hasNonNull("link") && byName.containsKey(link.get("link").asText())) {
      return byName.get(link.get("link").asText());
    }
    return ifindex;
  }

  private static String linkType(JsonNode link) {
    JsonNode kind = link.path("linkinfo").path("info_kind");
    if (kind.isTextual()) {
      return kind.asText();
    }
    return link.hasNonNull("link_type") ? link.get("link_type").asText() : null;
  }

  private static List<String> addresses(JsonNode addrInfo) {
    List<String> out = new ArrayList<>();
    if (addrInfo == null || !addrInfo.isArray()) {
      return out;
    }
    for (JsonNode addr : addrInfo) {
      if (addr.hasNonNull("local") && addr.path("prefixlen").canConvertToInt()) {
        out.add(addr.get("local").asText() + "/" + addr.get("prefixlen").asInt());
      }
    }
    return out;
  }

  private static Map<String, Long> stats(JsonNode stats64) {
    Map<String, Long> out = new HashMap<>();
    if (stats64 == null) {
      return out;
    }
    for (String direction : new String[] {"rx", "tx"}) {
      JsonNode group = stats64.path(direction);
      Iterator<Map.Entry<String, JsonNode>> fields = group.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String sysfsName = STAT_NAMES.get(direction + "." + field.getKey());
        if (sysfsName != null && field.getValue().isIntegralNumber()) {
          out.put(sysfsName, field.getValue().asLong());
        }
      }
    }
    return out;
  }

  private static Integer intOrNull(JsonNode node) {
    return node != null && node.canConvertToInt() ? node.asInt() : null;
  }
}
