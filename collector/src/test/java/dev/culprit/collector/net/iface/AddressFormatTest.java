package dev.culprit.collector.net.iface;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressFormatTest {

  @Test
  void compressesIpv6AsIpPrintsIt() throws Exception {
    assertThat(AddressFormat.text(InetAddress.getByName("fe80:0:0:0:207c:dfff:fed4:6f95")))
        .isEqualTo("fe80::207c:dfff:fed4:6f95");
    assertThat(AddressFormat.text(InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(AddressFormat.text(InetAddress.getByName("fd00:250:9:0:0:0:0:1")))
        .isEqualTo("fd00:250:9::1");
    assertThat(AddressFormat.text(InetAddress.getByName("1:0:0:2:0:0:0:3")))
        .isEqualTo("1:0:0:2::3");
    assertThat(AddressFormat.cidr(InetAddress.getByName("10.250.9.1"), 24))
        .isEqualTo("10.250.9.1/24");
  }
}
