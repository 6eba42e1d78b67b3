package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The terminal's one line per transition. */
class EventPrinterTest {

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
