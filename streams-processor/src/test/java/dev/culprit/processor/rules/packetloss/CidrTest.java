package dev.culprit.processor.rules.packetloss;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void aContainerAndItsBridgeShareANetwork() {
    Cidr container = Cidr.parse("172.17.0.2/16").orElseThrow();
    Cidr bridge = Cidr.parse("172.17.0.1/16").orElseThrow();
    assertThat(container.sameNetwork(bridge)).isTrue();
    assertThat(container.network()).isEqualTo("172.17.0.0/16");
    assertThat(container.sameNetwork(Cidr.parse("172.18.0.1/16").orElseThrow())).isFalse();
    assertThat(container.sameNetwork(Cidr.parse("172.17.0.1/24").orElseThrow())).isFalse();
  }

  @Test
  void prefixesThatEndInsideAByteCompareOnlyTheirBits() {
    assertThat(
            Cidr.parse("10.1.2.130/25")
                .orElseThrow()
                .sameNetwork(Cidr.parse("10.1.2.200/25").orElseThrow()))
        .isTrue();
    assertThat(
            Cidr.parse("10.1.2.100/25")
                .orElseThrow()
                .sameNetwork(Cidr.parse("10.1.2.200/25").orElseThrow()))
        .isFalse();
  }

  @Test
  void linkLocalLoopbackAndHostAddressesSayNothingAboutTheNetwork() {
    assertThat(Cidr.parse("fe80::1/64").orElseThrow().isRoutable()).isFalse();
    assertThat(Cidr.parse("127.0.0.1/8").orElseThrow().isRoutable()).isFalse();
    assertThat(Cidr.parse("::1/128").orElseThrow().isRoutable()).isFalse();
    assertThat(Cidr.parse("169.254.3.4/16").orElseThrow().isRoutable()).isFalse();
    assertThat(Cidr.parse("10.0.0.5/32").orElseThrow().isRoutable()).isFalse();
    assertThat(Cidr.parse("fd00::5/64").orElseThrow().isRoutable()).isTrue();
  }

  @Test
  void anythingButALiteralAddressIsRejectedWithoutALookup() {
    assertThat(Cidr.parse("example.com/24")).isEmpty();
    assertThat(Cidr.parse("10.0.0.1/33")).isEmpty();
    assertThat(Cidr.parse("")).isEmpty();
    assertThat(Cidr.parse(null)).isEmpty();
  }
}
