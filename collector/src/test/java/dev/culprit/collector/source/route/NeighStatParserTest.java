package dev.culprit.collector.source.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import org.junit.jupiter.api.Test;

class NeighStatParserTest {

  @Test
  void sumsTheCountersOfEveryCpuRowOfARealCapture() throws Exception {
    String text = Fixtures.text("real/host/proc-net-stat-arp_cache.txt");
    NeighStatParser.Totals totals = NeighStatParser.parse("arp_cache", text);
    // Two CPUs: res_failed 6 and 0xc, unresolved_discards 0 and 0 (see PROVENANCE.md).
    assertThat(totals).isEqualTo(new NeighStatParser.Totals(18, 0));
  }

  @Test
  void findsColumnsByNameWhateverTheirOrder() throws Exception {
    String text =
        "unresolved_discards entries res_failed\n"
            + "00000010 00000003 00000002\n"
            + "00000001 00000003 0000000a\n";
    assertThat(NeighStatParser.parse("f", text)).isEqualTo(new NeighStatParser.Totals(12, 17));
  }

  @Test
  void refusesAHeaderWithoutTheColumnsAShortRowOrANonHexValue() {
    assertThatThrownBy(() -> NeighStatParser.parse("f", "entries allocs\n00 00\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("res_failed");
    assertThatThrownBy(
            () -> NeighStatParser.parse("f", "res_failed unresolved_discards\n00000001\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("1 columns, 2 in the header");
    assertThatThrownBy(
            () -> NeighStatParser.parse("f", "res_failed unresolved_discards\n0000000g 00\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("not a hex value");
    assertThatThrownBy(() -> NeighStatParser.parse("f", "res_failed unresolved_discards\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("no per-CPU rows");
  }
}
