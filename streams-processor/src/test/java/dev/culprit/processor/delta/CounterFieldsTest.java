package dev.culprit.processor.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.QdiscStats;
import org.junit.jupiter.api.Test;

/**
 * The delta step takes counters from the contract's doc marks; these are the fields it treats as
 * counters today, so a changed mark shows up here rather than as silently wrong deltas.
 */
class CounterFieldsTest {

  @Test
  void interfaceCountersAreEveryRxAndTxStatistic() {
    assertThat(CounterFields.names(InterfaceStats.getClassSchema()))
        .containsExactly(
            "rxBytes",
            "rxPackets",
            "rxErrors",
            "rxDropped",
            "rxFifo",
            "rxFrame",
            "rxCompressed",
            "rxMulticast",
            "rxMissedErrors",
            "rxOverErrors",
            "rxLengthErrors",
            "rxCrcErrors",
            "txBytes",
            "txPackets",
            "txErrors",
            "txDropped",
            "txFifo",
            "txCollisions",
            "txCarrier",
            "txCompressed");
  }

  @Test
  void qdiscCountersExcludeBacklogAndSettings() {
    assertThat(CounterFields.names(QdiscStats.getClassSchema()))
        .containsExactly("bytes", "packets", "drops", "overlimits", "requeues");
  }

  @Test
  void firewallCountersArePacketsAndBytes() {
    assertThat(CounterFields.names(FirewallRule.getClassSchema()))
        .containsExactly("packets", "bytes");
    assertThat(CounterFields.names(ChainPolicy.getClassSchema()))
        .containsExactly("packets", "bytes");
  }
}
