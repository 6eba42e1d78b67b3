package dev.culprit.processor.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void givesOneCanonicalTextPerAddressWhateverItsNotation() {
    assertThat(Addresses.canonical("10.0.0.1/24")).contains("10.0.0.1");
    assertThat(Addresses.canonical(" 10.0.0.1 ")).contains("10.0.0.1");
    assertThat(Addresses.canonical("fd00::2/64")).contains("fd00:0:0:0:0:0:0:2");
    assertThat(Addresses.canonical("FD00:0::2")).contains("fd00:0:0:0:0:0:0:2");
    assertThat(Addresses.canonical("::ffff:10.0.0.1")).contains("10.0.0.1");
  }

  @Test
  void dropsAddressesThatCannotNameOneNamespace() {
    assertThat(Addresses.canonical("127.0.0.1/8")).isEmpty();
    assertThat(Addresses.canonical("127.0.1.1")).isEmpty();
    assertThat(Addresses.canonical("::1/128")).isEmpty();
    assertThat(Addresses.canonical("fe80::1/64")).isEmpty();
    assertThat(Addresses.canonical("fe80::1%eth0")).isEmpty();
    assertThat(Addresses.canonical("169.254.3.4/16")).isEmpty();
    assertThat(Addresses.canonical("0.0.0.0")).isEmpty();
    assertThat(Addresses.canonical("224.0.0.1")).isEmpty();
  }

  @Test
  void neverResolvesNamesThatLookLikeHex() {
    // "cafe" and "beef" are valid hex: a lax check would hand them to DNS.
    assertThat(Addresses.canonical("cafe")).isEmpty();
    assertThat(Addresses.canonical("beef/24")).isEmpty();
    assertThat(Addresses.canonical("web-1.example")).isEmpty();
    assertThat(Addresses.canonical("")).isEmpty();
    assertThat(Addresses.canonical(null)).isEmpty();
    assertThat(Addresses.canonical("10.0.0")).isEmpty();
    // digits in the IPv4 shape but out of range: the JDK would look these up as host names
    assertThat(Addresses.canonical("999.1.1.1")).isEmpty();
    assertThat(Addresses.canonical("10.0.0.256/24")).isEmpty();
  }
}
