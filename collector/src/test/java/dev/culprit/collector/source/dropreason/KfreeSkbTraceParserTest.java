package dev.culprit.collector.source.dropreason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.spi.ParseException;
import dev.culprit.collector.testing.Fixtures;
import dev.culprit.schemas.DropReasons;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void countsEachCpusRecordsApartByTheirCpuField() throws Exception {
    String trace =
        "# tracer: nop\n"
            + "  a-1 [000] ..s1. 1.0: kfree_skb: location=f+0x1/0x2 reason: NETFILTER_DROP\n"
            + "  a-1 [000] ..s1. 1.1: kfree_skb: location=f+0x1/0x2 reason: NETFILTER_DROP\n"
            + "  b-2 [013] ..s1. 1.2: kfree_skb: location=f+0x1/0x2 reason: QDISC_DROP\n";

    Map<Integer, Map<String, Long>> byCpu =
        KfreeSkbTraceParser.reasonsByCpu(new BufferedReader(new StringReader(trace)));

    assertThat(byCpu)
        .containsExactly(
            Map.entry(0, Map.of("NETFILTER_DROP", 2L)), Map.entry(13, Map.of("QDISC_DROP", 1L)));
  }

  @Test
  void aTaskNameMimickingTheRecordsFieldsDoesNotMoveItsCpuOrReason() throws Exception {
    // 15 bytes, the most a task name holds: a fake CPU and the event's name.
    String trace =
        "x[9] kfree_skb: -7     [002] ..s1. 1.0: kfree_skb: location=f+0x1/0x2 reason: NO_SOCKET\n";

    assertThat(KfreeSkbTraceParser.reasonsByCpu(new BufferedReader(new StringReader(trace))))
        .containsExactly(Map.entry(2, Map.of("NO_SOCKET", 1L)));
  }

  @Test
  void aTaskNameOfBytesThatAreNotUtf8IsReadNotAFailure(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace");
    try (OutputStream out = Files.newOutputStream(trace)) {
      out.write("# tracer: nop\n  ".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {(byte) 0xff, (byte) 0xfe});
      out.write(
          "-4242  [001] ..s1. 1.0: kfree_skb: location=f+0x1/0x2 reason: NETFILTER_DROP\n"
              .getBytes(StandardCharsets.US_ASCII));
    }

    assertThat(KfreeSkbInstance.list(trace))
        .containsExactly(Map.entry(1, Map.of("NETFILTER_DROP", 1L)));
  }

  @Test
  void theRingIsResetEvenWhenACycleCannotBeParsed(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("trace"),
        "  a-1 [000] ..s1. 1.0: kfree_skb: location=f+0x1/0x2 reason: NETFILTER_DROP\n");
    Path stats = dir.resolve("stats");
    Files.writeString(stats, Fixtures.text("fixtures/hostile/tracefs-stats-non-numeric.txt"));
    KfreeSkbInstance instance = new KfreeSkbInstance(dir, Map.of(0, stats));

    assertThatThrownBy(instance::readAndReset).isInstanceOf(ParseException.class);

    // Truncating "trace" is what resets the kernel's rings.
    assertThat(Files.size(dir.resolve("trace"))).isZero();
  }
}
