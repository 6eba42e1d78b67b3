package dev.culprit.collector.source.iface;

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

  @Test
  void printsEmbeddedIpv4DottedAsGlibcDoes() {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 7;
    byte[] compatible = new byte[16];
    compatible[12] = (byte) 192;
    compatible[13] = 0;
    compatible[14] = 2;
    compatible[15] = 1;
    byte[] loopback = new byte[16];
    loopback[15] = 1;

    assertThat(AddressFormat.text(mapped)).isEqualTo("::ffff:10.0.0.7");
    assertThat(AddressFormat.text(compatible)).isEqualTo("::192.0.2.1");
    assertThat(AddressFormat.text(loopback)).isEqualTo("::1");
    assertThat(AddressFormat.text(new byte[] {10, (byte) 250, 9, 1})).isEqualTo("10.250.9.1");
  }
}
