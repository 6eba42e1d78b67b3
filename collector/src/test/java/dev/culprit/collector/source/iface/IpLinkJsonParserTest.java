package dev.culprit.collector.source.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IpLinkJsonParserTest {

  private static Map<String, Link> parse(String fixture) throws ParseException {
    return IpLinkJsonParser.parse(fixture, Fixtures.text(fixture)).stream()
        .collect(Collectors.toMap(Link::name, Function.identity()));
  }

  @Test
  void readsVethAttributesAndAddressesOfARealNamespace() throws Exception {
    Link veth = parse("real/ns-a/ip-j-s-s-d-address-show.json").get("cufx-a0");

    assertThat(veth.ifindex()).isEqualTo(14);
    assertThat(veth.iflink()).isEqualTo(13);
    assertThat(veth.linkType()).isEqualTo("veth");
    assertThat(veth.operState()).isEqualTo("up");
    assertThat(veth.mtu()).isEqualTo(1500);
    assertThat(veth.addresses()).startsWith("10.250.9.1/24", "fd00:250:9::1/64");
    assertThat(veth.extra()).containsEntry("tx_dropped", 25L).containsEntry("rx_missed_errors", 0L);
  }

  @Test
  void seesTheFaultyMtuOnThePeer() throws Exception {
    Map<String, Link> links = parse("real/ns-b/ip-j-s-s-d-address-show.json");

    assertThat(links.get("cufx-b0").mtu()).isEqualTo(100);
    assertThat(links.get("cufx-b0").extra()).containsEntry("rx_dropped", 25L);
    assertThat(links.get("lo").linkType()).isEqualTo("loopback");
    assertThat(links.get("lo").iflink()).isEqualTo(links.get("lo").ifindex());
  }

  @Test
  void leavesCountersIpDidNotPrintAbsent() throws Exception {
    String json =
        "[{\"ifindex\":2,\"ifname\":\"eth0\",\"mtu\":1500,\"stats64\":{\"rx\":{\"bytes\":5}}}]";

    Link link = IpLinkJsonParser.parse("test", json).get(0);

    assertThat(link.extra()).containsOnlyKeys("rx_bytes");
    assertThat(link.operState()).isNull();
  }

  @Test
  void rejectsTruncatedJson() {
    assertThatThrownBy(() -> IpLinkJsonParser.parse("ip -j", "[{\"ifindex\":1,"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("ip -j");
  }
}
