package dev.culprit.lab.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.lab.LabException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ip -j addr show}: each device's name, MTU, state, bridge master and IPv4 addresses.
 *
 * <pre>
 * [{"ifindex":2,"ifname":"cu-web","link_index":3,"flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],
 *   "mtu":1500,"qdisc":"noqueue","operstate":"UP","link_netnsid":0,…,
 *   "addr_info":[{"family":"inet","local":"10.253.0.10","prefixlen":24,…}]}]
 * </pre>
 */
public final class IpLinkJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One device as {@code status} shows it. */
  public record Link(String name, int mtu, String state, String master, List<String> addresses) {

    @Override
    public String toString() {
      StringBuilder text =
          new StringBuilder(name).append(" mtu ").append(mtu).append(' ').append(state);
      if (master != null) {
        text.append(" port of ").append(master);
      }
      addresses.forEach(a -> text.append(' ').append(a));
      return text.toString();
    }
  }

  private IpLinkJson() {}

  public static List<Link> parse(String json) {
    JsonNode all;
    try {
      all = JSON.readTree(json);
    } catch (IOException e) {
      throw new LabException("ip printed something that is not JSON: " + e.getMessage(), e);
    }
    List<Link> links = new ArrayList<>();
    if (all == null || !all.isArray()) {
      return links;
    }
    for (JsonNode link : all) {
      List<String> addresses = new ArrayList<>();
      for (JsonNode addr : link.path("addr_info")) {
        if ("inet".equals(addr.path("family").asText())) {
          addresses.add(addr.path("local").asText() + "/" + addr.path("prefixlen").asInt());
        }
      }
      links.add(
          new Link(
              link.path("ifname").asText(),
              link.path("mtu").asInt(),
              link.path("operstate").asText("UNKNOWN"),
              link.hasNonNull("master") ? link.get("master").asText() : null,
              addresses));
    }
    return links;
  }
}
