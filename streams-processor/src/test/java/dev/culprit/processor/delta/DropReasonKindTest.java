package dev.culprit.processor.delta;

import static dev.culprit.processor.SampleFactory.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.DropReasonCount;
import dev.culprit.schemas.DropReasonSample;
import org.junit.jupiter.api.Test;

class DropReasonKindTest {

  private final SampleFactory f = new SampleFactory("web", 1_700_000_001_000L);
  private final DropReasonKind kind = new DropReasonKind();

  @Test
  void theTotalTheSampleAndEachReasonBecomeTheirIncreaseAndAReasonSeenFirstHasNone() {
    DropReasonSample before = f.dropReasons(100, 40, reason("NETFILTER_DROP", 30, 75));
    DropReasonSample now =
        f.dropReasons(1_100, 240, reason("NETFILTER_DROP", 180, 825), reason("IP_RPFILTER", 5, 9));

    kind.toDeltas(before, now);

    assertThat(now.getDrops()).isEqualTo(1_000L);
    assertThat(now.getSampled()).isEqualTo(200L);
    assertThat(now.getReasons())
        .extracting(
            DropReasonCount::getReason, DropReasonCount::getSampled, DropReasonCount::getEstimated)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("NETFILTER_DROP", 150L, 750L),
            org.assertj.core.groups.Tuple.tuple("IP_RPFILTER", null, null));
  }

  @Test
  void aTotalThatWentDownIsARestartedCollectorAndGivesNoDeltaAtAll() {
    DropReasonSample before = f.dropReasons(5_000, 400, reason("NETFILTER_DROP", 300, 4_000));
    DropReasonSample now = f.dropReasons(20, 20, reason("NETFILTER_DROP", 20, 20));

    kind.toDeltas(before, now);

    assertThat(now.getDrops()).isNull();
    assertThat(now.getSampled()).isNull();
    assertThat(now.getReasons().get(0).getEstimated()).isNull();
  }

  @Test
  void twoCyclesOfAWindowAreSummed() {
    DropReasonSample earlier = f.dropReasons(10, 10, reason("NETFILTER_DROP", 10, 10));
    DropReasonSample later =
        f.dropReasons(30, 20, reason("NETFILTER_DROP", 15, 25), reason("QDISC_DROP", 5, 5));

    DropReasonSample merged = kind.merge(earlier, later);

    assertThat(merged.getDrops()).isEqualTo(40L);
    assertThat(merged.getSampled()).isEqualTo(30L);
    assertThat(merged.getReasons())
        .extracting(DropReasonCount::getReason, DropReasonCount::getEstimated)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("NETFILTER_DROP", 35L),
            org.assertj.core.groups.Tuple.tuple("QDISC_DROP", 5L));
  }
}
