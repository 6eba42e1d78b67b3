package dev.culprit.collector.source.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NetDevParserTest {

  private static Map<String, NetDevParser.Device> parse(String fixture) throws ParseException {
    return NetDevParser.parse(fixture, Fixtures.text(fixture)).stream()
        .collect(Collectors.toMap(NetDevParser.Device::name, Function.identity()));
  }

  @Test
  void readsEveryDeviceOfTheRealHost() throws Exception {
    Map<String, NetDevParser.Device> devices = parse("real/host/proc-net-dev.txt");

    assertThat(devices).containsKeys("lo", "eth0");
    assertThat(devices.get("lo").rxBytes()).isEqualTo(devices.get("lo").txBytes());
    assertThat(devices.get("eth0").rxPackets()).isPositive();
  }

  @Test
  void seesTheReceiveDropsOfTheMtu100VethInTheFaultNamespace() throws Exception {
    Map<String, NetDevParser.Device> devices = parse("real/ns-b/proc-net-dev.txt");

    NetDevParser.Device veth = devices.get("cufx-b0");
    assertThat(veth.rxDropped()).isEqualTo(25);
    assertThat(veth.rxErrors()).isZero();
    assertThat(veth.rxPackets()).isEqualTo(26);
    assertThat(devices.get("cufx-b1").txPackets()).isEqualTo(24);
  }

  @Test
  void givesTheSameCountersAsTheSeedsNetstatI() throws Exception {
    // netstat -i: eth0 MTU 100 RX-OK 157 RX-ERR 0 RX-DRP 344 RX-OVR 0 TX-OK 94 ...
    NetDevParser.Device eth0 = parse("seed/proc-net-dev-from-netstat-i.txt").get("eth0");

    assertThat(eth0.rxPackets()).isEqualTo(157);
    assertThat(eth0.rxErrors()).isZero();
    assertThat(eth0.rxDropped()).isEqualTo(344);
    assertThat(eth0.rxFifo()).isZero();
    assertThat(eth0.txPackets()).isEqualTo(94);
  }

  @Test
  void ignoresColumnsANewerKernelAppends() throws Exception {
    NetDevParser.Device eth0 = parse("hostile/proc-net-dev-newer-kernel.txt").get("eth0");

    assertThat(eth0.rxBytes()).isEqualTo(248238355L);
    assertThat(eth0.txCompressed()).isZero();
    assertThat(eth0.txPackets()).isEqualTo(3572);
  }

  @Test
  void rejectsATruncatedLineNamingFileAndLine() {
    assertThatThrownBy(() -> parse("hostile/proc-net-dev-truncated.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("hostile/proc-net-dev-truncated.txt:4")
        .hasMessageContaining("eth0 has 6 counters, expected 16");
  }

  @Test
  void rejectsANonNumberCounter() {
    assertThatThrownBy(() -> parse("hostile/proc-net-dev-garbage.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining(":3")
        .hasMessageContaining("x3572");
  }

  @Test
  void rejectsAnEmptyFile() {
    assertThatThrownBy(() -> parse("hostile/empty.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void rejectsReorderedColumnsInsteadOfShiftingCounters() {
    String reordered =
        "Inter-|   Receive |  Transmit\n"
            + " face |packets bytes errs drop fifo frame compressed multicast|bytes packets errs"
            + " drop fifo colls carrier compressed\n"
            + "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

    assertThatThrownBy(() -> NetDevParser.parse("test", reordered))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("unknown column header");
  }

  @Test
  void readsUnsigned64BitCounters() throws Exception {
    String text =
        Fixtures.text("hostile/proc-net-dev-truncated.txt")
                .lines()
                .limit(2)
                .collect(Collectors.joining("\n"))
            + "\n  big: 18446744073709551615 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    List<NetDevParser.Device> devices = NetDevParser.parse("test", text);

    assertThat(Long.toUnsignedString(devices.get(0).rxBytes())).isEqualTo("18446744073709551615");
  }
}
