package dev.culprit.collector.source.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConntrackStatParserTest {

  private static Map<String, Long> parse(String fixture) throws ParseException {
    return ConntrackStatParser.parse(fixture, Fixtures.text(fixture));
  }

  @Test
  void takesEntriesOnceInsteadOfSummingItOverCpus() throws Exception {
    // Two CPUs, each row says 00000008: the namespace has 8 entries, not 16.
    Map<String, Long> stats = parse("real/ns-a/proc-net-stat-nf_conntrack.txt");

    assertThat(stats).containsEntry("entries", 8L).containsEntry("drop", 0L);
    assertThat(stats).containsKeys("clashres", "chainlength", "search_restart", "early_drop");
  }

  @Test
  void sumsHexCountersByNameOnAnOlderKernelLayout() throws Exception {
    Map<String, Long> stats = parse("hostile/nf_conntrack-older-kernel.txt");

    assertThat(stats)
        .containsEntry("entries", 182L)
        .containsEntry("found", 0x1aL + 0x10L)
        .containsEntry("invalid", 4L)
        .containsEntry("drop", 12L)
        .containsEntry("early_drop", 1L)
        .containsEntry("search_restart", 15L)
        .containsKey("searched")
        .doesNotContainKey("clashres");
  }

  @Test
  void rejectsAShortCpuRowNamingTheLine() {
    assertThatThrownBy(() -> parse("hostile/nf_conntrack-short-row.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("nf_conntrack-short-row.txt:3")
        .hasMessageContaining("3 values for 17 columns");
  }

  @Test
  void rejectsAnEmptyFile() {
    assertThatThrownBy(() -> parse("hostile/empty.txt")).isInstanceOf(ParseException.class);
  }

  @Test
  void rejectsNonHexValues() {
    assertThatThrownBy(() -> ConntrackStatParser.parse("t", "entries drop\n0000000g 00000001\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("0000000g");
  }
}
