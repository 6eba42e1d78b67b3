package dev.culprit.lab.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The table's judgement and the trace-line parsing, on recorded kernel text (no kernel needed). */
class DropReasonTableTest {

  private static final Set<String> KNOWN =
      Set.of(
          "NOT_SPECIFIED",
          "NETFILTER_DROP",
          "QDISC_DROP",
          "IP_RPFILTER",
          "QUEUE_PURGE",
          "IP_INNOROUTES",
          "NEIGH_FAILED",
          "SKB_UCOPY_FAULT",
          "IP_INADDRERRORS");

  /** A baseline of two seconds in which the kernel dropped nothing. */
  private static final ReasonCounts NOTHING_FOR_2S = counts(2, Map.of());

  private static ReasonCounts counts(long seconds, Map<String, Long> byReason) {
    Map<String, Long> byLocation = new java.util.HashMap<>();
    byReason.forEach((reason, n) -> byLocation.put(reason + "@some_function", n));
    return new ReasonCounts(byReason, byLocation, 0, Duration.ofSeconds(seconds));
  }

  @Test
  void aDropPointWithoutAReasonCanBeNamedByItsFunction() {
    // A veth refusing an oversize frame: NOT_SPECIFIED, but in __dev_forward_skb2.
    var mtu =
        judge(
            Cause.MTU_MISMATCH,
            new ReasonCounts(
                Map.of(), Map.of("NOT_SPECIFIED@tcp_v4_rcv", 9L), 0, Duration.ofSeconds(2)),
            new ReasonCounts(
                Map.of(),
                Map.of("NOT_SPECIFIED@__dev_forward_skb2", 60L, "NOT_SPECIFIED@tcp_v4_rcv", 40L),
                0,
                Duration.ofSeconds(2)));
    assertThat(mtu.agrees()).as(mtu.explanation()).isTrue();
    assertThat(mtu.confirming()).isEqualTo(60.0);
    assertThat(mtu.contrary()).isZero();
  }

  private static DropReasonTable.Verdict judge(
      Cause cause, ReasonCounts baseline, ReasonCounts fault) {
    return DropReasonTable.judge(Set.of(cause), KNOWN, baseline, fault);
  }

  /** Whether a cause agrees with what the kernel recorded, baseline first, fault second. */
  static Stream<Arguments> verdicts() {
    return Stream.of(
        Arguments.of(
            "a quiet listen overflow is only checked for contradiction",
            Cause.LISTEN_OVERFLOW,
            NOTHING_FOR_2S,
            counts(10, Map.of()),
            true),
        Arguments.of(
            "a listen overflow is contradicted by firewall drops",
            Cause.LISTEN_OVERFLOW,
            NOTHING_FOR_2S,
            counts(10, Map.of("NETFILTER_DROP", 20L)),
            false),
        Arguments.of(
            "a cause whose reasons rose over the baseline agrees",
            Cause.FIREWALL_DROP,
            counts(2, Map.of("NETFILTER_DROP", 2L, "QUEUE_PURGE", 40L)),
            counts(10, Map.of("NETFILTER_DROP", 60L, "QUEUE_PURGE", 900L)),
            true),
        Arguments.of(
            "a cause is contradicted when another reason accounts for the rise",
            Cause.LISTEN_OVERFLOW,
            NOTHING_FOR_2S,
            counts(10, Map.of("IP_RPFILTER", 30L, "TCP_LISTEN_OVERFLOW", 4L)),
            false),
        // Another tenant's firewall drops at the same rate before and during: no rise, no evidence.
        Arguments.of(
            "a reason as common in the baseline confirms nothing",
            Cause.FIREWALL_DROP,
            counts(5, Map.of("NETFILTER_DROP", 50L)),
            counts(5, Map.of("NETFILTER_DROP", 51L)),
            false),
        Arguments.of(
            "a modelled reason is a missed cause, not unexplained drops",
            Cause.UNEXPLAINED_DROPS,
            NOTHING_FOR_2S,
            counts(10, Map.of("NETFILTER_DROP", 40L)),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void judgesACauseAgainstTheRiseOverTheBaseline(
      String description, Cause cause, ReasonCounts baseline, ReasonCounts fault, boolean agrees) {
    var verdict = judge(cause, baseline, fault);
    assertThat(verdict.agrees()).as(description + ": " + verdict.explanation()).isEqualTo(agrees);
  }

  @Test
  void aCauseWhoseReasonsRoseOverTheBaselineCountsOnlyItsOwnReasons() {
    var verdict =
        judge(
            Cause.FIREWALL_DROP,
            counts(2, Map.of("NETFILTER_DROP", 2L, "QUEUE_PURGE", 40L)),
            counts(10, Map.of("NETFILTER_DROP", 60L, "QUEUE_PURGE", 900L)));
    assertThat(verdict.confirming()).isEqualTo(50.0); // 60 less 2 per 2 s over 10 s
    assertThat(verdict.contrary()).isZero(); // QUEUE_PURGE is no evidence either way
  }

  @Test
  void aContradictionNamesTheReasonThatAccountsForTheRise() {
    var verdict =
        judge(
            Cause.LISTEN_OVERFLOW,
            NOTHING_FOR_2S,
            counts(10, Map.of("IP_RPFILTER", 30L, "TCP_LISTEN_OVERFLOW", 4L)));
    assertThat(verdict.explanation())
        .contains("IP_RPFILTER@some_function: 30 during the fault")
        .contains("NOT explained");
  }

  @Test
  void unexplainedDropsStandsForReasonsNoModelledCauseExplains() {
    assertThat(DropReasonTable.explainedBy(Cause.UNEXPLAINED_DROPS, KNOWN))
        .containsExactlyInAnyOrder("SKB_UCOPY_FAULT", "IP_INADDRERRORS");
    assertThat(DropReasonTable.causesOf("IP_INNOROUTES")).containsExactly(Cause.ROUTE_UNREACHABLE);
    assertThat(DropReasonTable.causesOf("NEIGH_FAILED"))
        .containsExactly(Cause.NEIGHBOUR_UNRESOLVED);
    assertThat(DropReasonTable.causesOf("NETFILTER_DROP"))
        .containsExactlyInAnyOrder(Cause.FIREWALL_DROP, Cause.CONNTRACK_TABLE_FULL);
  }

  @Test
  void readsTheKernelsTraceLinesAndReasonNames() {
    String line =
        " data-plane-kafk-12472   [001] ..s2. 15285.190667: kfree_skb: skbaddr=000000008195a27a"
            + " rx_sk=0000000000000000 protocol=2048 location=nf_hook_slow+0x95/0x100 reason:"
            + " NETFILTER_DROP";
    assertThat(DropReasonOracle.drop(line)).containsExactly("NETFILTER_DROP", "nf_hook_slow");
    assertThat(DropReasonOracle.drop("  java-1 [000] ..... 1.0: tracing_mark_write: x")).isNull();

    String format =
        "print fmt: \"skbaddr=%p reason: %s\", REC->skbaddr, __print_symbolic(REC->reason,"
            + " { 2, \"NOT_SPECIFIED\" }, { 3, \"NO_SOCKET\" }, { 12, \"NETFILTER_DROP\" })";
    assertThat(DropReasonOracle.reasonNames(format))
        .containsExactly(
            Map.entry(2, "NOT_SPECIFIED"),
            Map.entry(3, "NO_SOCKET"),
            Map.entry(12, "NETFILTER_DROP"));
  }
}
