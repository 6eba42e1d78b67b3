package dev.culprit.collector.source.dropreason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.spi.ParseException;
import dev.culprit.collector.testing.Fixtures;
import dev.culprit.schemas.DropReasons;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KfreeSkbTraceParserTest {

  private static final String REAL = "fixtures/real/host/tracefs/";

  @Test
  void readsThisKernelsReasonNamesByNumberFromTheTracepointFormat() {
    String format = Fixtures.text(REAL + "kfree_skb-format.txt");

    Map<Integer, String> names = KfreeSkbTraceParser.reasonNames(format);

    assertThat(KfreeSkbTraceParser.hasReason(format)).isTrue();
    assertThat(names)
        .containsEntry(2, "NOT_SPECIFIED")
        .containsEntry(12, "NETFILTER_DROP")
        .containsEntry(64, "QDISC_DROP");
    // Every reason the contract's table names is one this kernel can report.
    assertThat(names.values()).containsAll(DropReasons.namesUsed());
  }

  @Test
  void aFormatWithoutTheReasonFieldIsAKernelBefore517() {
    assertThat(
            KfreeSkbTraceParser.hasReason(
                "name: kfree_skb\nformat:\n\tfield:void * location;\toffset:16;\tsize:8;\n"))
        .isFalse();
  }

  @Test
  void countsWhatEachCpusRingTookKeptPlusOverwritten() throws Exception {
    assertThat(KfreeSkbTraceParser.recorded("cpu0", Fixtures.text(REAL + "per_cpu-cpu0-stats.txt")))
        .isZero();
    // The capture's CPU 1 took 2003 records into a ring that kept 255.
    assertThat(KfreeSkbTraceParser.recorded("cpu1", Fixtures.text(REAL + "per_cpu-cpu1-stats.txt")))
        .isEqualTo(255 + 1748);
  }

  @Test
  void aStatsFileWithoutANumberOrAnOverrunLineIsAParseErrorNamingIt() {
    assertThatThrownBy(
            () ->
                KfreeSkbTraceParser.recorded(
                    "stats", Fixtures.text("fixtures/hostile/tracefs-stats-non-numeric.txt")))
        .isInstanceOf(ParseException.class)
        .hasMessage("stats:2: overrun is not a number: lots");
    assertThatThrownBy(
            () ->
                KfreeSkbTraceParser.recorded(
                    "stats", Fixtures.text("fixtures/hostile/tracefs-stats-no-overrun.txt")))
        .isInstanceOf(ParseException.class)
        .hasMessage("stats: no 'overrun:' line");
  }

  @Test
  void countsTheRecordsOfARealListingByReason() {
    Map<String, Long> reasons =
        KfreeSkbTraceParser.reasons(Fixtures.text(REAL + "kfree_skb-trace.txt"));

    // The capture's first 30 records: an iptables DROP in a namespace, flooded over UDP.
    assertThat(reasons).containsExactly(Map.entry("NETFILTER_DROP", 30L));
  }

  @Test
  void skipsHeadersLostEventLinesOtherEventsAndATruncatedLastRecord() {
    Map<String, Long> reasons =
        KfreeSkbTraceParser.reasons(
            Fixtures.text("fixtures/hostile/tracefs-kfree_skb-trace-mixed.txt"));

    assertThat(reasons)
        .containsExactly(
            Map.entry("0x8f", 1L), Map.entry("IP_INNOROUTES", 1L), Map.entry("NETFILTER_DROP", 2L));
  }

  @Test
  void keepsAtMostMaxReasonsApartAndCountsTheRestAsOther() {
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < KfreeSkbTraceParser.MAX_REASONS + 10; i++) {
      trace
          .append("  x-1 [000] ..s1. 1.0: kfree_skb: location=f+0x1/0x2 reason: 0x")
          .append(Integer.toHexString(i))
          .append('\n');
    }

    Map<String, Long> reasons = new TreeMap<>(KfreeSkbTraceParser.reasons(trace.toString()));

    assertThat(reasons).hasSize(KfreeSkbTraceParser.MAX_REASONS);
    assertThat(reasons.get(KfreeSkbTraceParser.OTHER)).isEqualTo(11L);
    assertThat(reasons.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(KfreeSkbTraceParser.MAX_REASONS + 10);
  }
}
