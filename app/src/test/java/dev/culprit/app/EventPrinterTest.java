package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EventPrinterTest {

  @Test
  void aHumanLineSaysWhereTheFixRunsAndPrintsItAsPasted() {
    String line = EventPrinter.human(cause("web-1", FixScopeKind.NETNS, "ip netns exec web-1 x"));
    assertThat(line).endsWith("→ fix in netns web-1: ip netns exec web-1 x");
  }

  @Test
  void aFixOnTheHostOrAnEventFromBeforeFixesHadStructureShowsOnlyTheCommand() {
    assertThat(EventPrinter.human(cause("", FixScopeKind.HOST, "x"))).endsWith("→ fix: x");
    RootCause old = RootCause.newBuilder(cause("", FixScopeKind.HOST, "x")).setFix(null).build();
    assertThat(EventPrinter.human(old)).endsWith("→ fix: x");
  }

  @Test
  void aWindowJudgedAfterItsHostCaughtUpSaysHowLateAndAForgedHeaderSaysNothing() {
    org.apache.kafka.common.header.internals.RecordHeaders h =
        new org.apache.kafka.common.header.internals.RecordHeaders();
    assertThat(EventPrinter.lateNote(h)).isEmpty();
    h.add("culprit-judged-late-ms", "312000".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(EventPrinter.lateNote(h))
        .isEqualTo("  (judged 5m12s late: the host's samples reached Kafka late)");
    h.add(
        "culprit-judged-late-ms", "5m; rm -rf /".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(EventPrinter.lateNote(h)).isEmpty();
    h.add("culprit-judged-late-ms", "99999999999999999999999".getBytes());
    assertThat(EventPrinter.lateNote(h)).isEmpty();
  }

  private static RootCause cause(String netns, FixScopeKind kind, String remediation) {
    return RootCause.newBuilder()
        .setEventId("id-1")
        .setHost("node-7")
        .setNetns(netns)
        .setWindowStartMs(1_000)
        .setWindowEndMs(11_000)
        .setCause(Cause.MTU_MISMATCH)
        .setLayer(Layer.LINK)
        .setLocation("eth0")
        .setConfidence(0.8)
        .setEvidence(Map.of())
        .setSymptoms(Map.of())
        .setSummary("s")
        .setRemediation(remediation)
        .setFix(new Fix(new FixScope(kind, netns), List.of("x"), null))
        .build();
  }

  @Test
  void aStartedCauseSaysWhatAndHowToFixIt() {
    String line = EventPrinter.human(transition(CauseState.STARTED, 10_000, 1));

    assertThat(line)
        .contains("vm netns culprit-web  STARTED FIREWALL_DROP @ filter INPUT rule 1  ")
        .contains("drops 30 % of packets")
        .endsWith("→ fix: iptables -t filter -D INPUT 1");
  }

  @Test
  void anEndedCauseSaysHowLongItLastedAndWhatItCost() {
    String line = EventPrinter.human(transition(CauseState.ENDED, 60_000, 6));

    assertThat(line)
        .contains("ENDED FIREWALL_DROP @ filter INPUT rule 1  lasted 1m 0s (6 windows with it)")
        .endsWith("; totals: droppedPackets 180")
        .doesNotContain("intervalMs");
  }

  @Test
  void anOngoingReminderSaysHowLongSoFar() {
    assertThat(EventPrinter.human(transition(CauseState.ONGOING, 3_700_000, 370)))
        .contains("ONGOING FIREWALL_DROP @ filter INPUT rule 1  for 1h 1m (370 windows with it)");
  }

  private static CauseTransition transition(CauseState state, long durationMs, int windows) {
    RootCause latest =
        RootCause.newBuilder()
            .setEventId("e")
            .setHost("vm")
            .setNetns("culprit-web")
            .setWindowStartMs(50_000)
            .setWindowEndMs(60_000)
            .setCause(Cause.FIREWALL_DROP)
            .setLayer(Layer.FIREWALL)
            .setLocation("filter INPUT rule 1")
            .setContainer(null)
            .setConfidence(1.0)
            .setEvidence(new TreeMap<>(Map.of("droppedPackets", 30L)))
            .setSymptoms(Map.of())
            .setSummary("iptables filter INPUT rule 1 drops 30 % of packets at random")
            .setRemediation("iptables -t filter -D INPUT 1")
            .build();
    return CauseTransition.newBuilder()
        .setTransitionId("t")
        .setEpisodeId("e")
        .setState(state)
        .setSignature("FIREWALL_DROP filter INPUT")
        .setHost("vm")
        .setNetns("culprit-web")
        .setContainer(null)
        .setCause(Cause.FIREWALL_DROP)
        .setFirstWindowStartMs(0)
        .setLastWindowEndMs(durationMs)
        .setDecidedWindowEndMs(durationMs)
        .setWindowsSeen(windows)
        .setDurationMs(durationMs)
        .setTotals(Map.of("droppedPackets", 180L, "intervalMs", 60_000L))
        .setLatest(latest)
        .build();
  }
}
