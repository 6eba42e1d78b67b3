package dev.culprit.collector.source.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeTargetTest {

  @Test
  void anIpv4TargetWithoutNamespaceLeavesFromTheHost() {
    ProbeTarget t = ProbeTarget.parse("10.201.7.2:80");

    assertThat(t.netns()).isEmpty();
    assertThat(t.address()).isInstanceOf(Inet4Address.class);
    assertThat(t.address().getHostAddress()).isEqualTo("10.201.7.2");
    assertThat(t.port()).isEqualTo(80);
    assertThat(t.family()).isEqualTo(StandardProtocolFamily.INET);
    assertThat(t).hasToString("10.201.7.2:80");
  }

  @Test
  void theNamespaceBeforeTheLastSlashIsWhereProbesLeaveFrom() {
    ProbeTarget t = ProbeTarget.parse("web-1/10.0.0.2:8080");

    assertThat(t.netns()).isEqualTo("web-1");
    assertThat(t.port()).isEqualTo(8080);
    assertThat(ProbeTarget.parse(t.toString())).isEqualTo(t);
  }

  @Test
  void anIpv6TargetGoesInBracketsAndUsesAnIpv6Socket() {
    ProbeTarget t = ProbeTarget.parse("culprit-a/[fd00::2]:443");

    assertThat(t.netns()).isEqualTo("culprit-a");
    assertThat(t.address()).isInstanceOf(Inet6Address.class);
    assertThat(t.port()).isEqualTo(443);
    assertThat(t.family()).isEqualTo(StandardProtocolFamily.INET6);
    assertThat(t).hasToString("culprit-a/[fd00:0:0:0:0:0:0:2]:443");
    assertThat(ProbeTarget.parse("[::1]:1").address().isLoopbackAddress()).isTrue();
  }

  @Test
  void surroundingBlanksAreIgnoredAndPortsSpanOneTo65535() {
    assertThat(ProbeTarget.parse(" 127.0.0.1:1 ").port()).isEqualTo(1);
    assertThat(ProbeTarget.parse("127.0.0.1:65535").port()).isEqualTo(65535);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.2|no ':PORT'",
        "10.0.0.2:|port after ':' is empty",
        "10.0.0.2:0|outside 1-65535",
        "10.0.0.2:65536|outside 1-65535",
        "10.0.0.2:99999999999|not a number from 1 to 65535",
        "10.0.0.2:-1|not a number",
        "10.0.0.2:http|not a number",
        "/10.0.0.2:80|namespace before '/' is empty",
        "' /10.0.0.2:80'|namespace before '/' is empty",
        "example.com:80|not an IPv4 address (names are not looked up)",
        "10.0.0.256:80|not an IPv4 address",
        "10.0.0:80|not an IPv4 address",
        "fd00::2:80|IPv6 address goes in brackets",
        "[fd00::2:80|has no ']'",
        "[fd00::2]80|no ':PORT'",
        "[fd00::2]|no ':PORT'",
        "[fe80::1%eth0]:80|zone ids",
        "[10.0.0.2]:80|not an IPv6 address",
        "[gg::1]:80|not an IPv6 address",
        ":80|not an IPv4 address",
      })
  void aBadSpecIsRejectedNamingTheValueAndWhatIsWrong(String spec, String why) {
    assertThatThrownBy(() -> ProbeTarget.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + spec + "'")
        .hasMessageContaining(why)
        .hasMessageContaining("[NETNS/]ADDRESS:PORT");
  }
}
