package dev.culprit.processor.delta;

import static dev.culprit.processor.SampleFactory.neighbour;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.NeighbourEntry;
import dev.culprit.schemas.RouteSample;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteKindTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);
  private final SampleKind<RouteSample> kind = SampleKinds.ROUTE;

  private RouteSample host(Long resFailed, Long discards, NeighbourEntry... neighbours) {
    RouteSample s = f.routes("", true, List.of(), List.of(neighbours));
    s.setArpResFailed(resFailed);
    s.setArpUnresolvedDiscards(discards);
    s.setNdiscResFailed(0L);
    s.setNdiscUnresolvedDiscards(0L);
    return s;
  }

  @Test
  void theHostWideNeighbourCountersAreTheOnlyCounters() {
    assertThat(RouteKind.counterNames())
        .containsExactly(
            "arpResFailed", "arpUnresolvedDiscards", "ndiscResFailed", "ndiscUnresolvedDiscards");
  }

  @Test
  void countersBecomeDeltasAndADecreaseOfAnyMeansNoDeltaForAll() {
    RouteSample now = host(18L, 5L);
    kind.toDeltas(host(10L, 5L), now);
    assertThat(now.getArpResFailed()).isEqualTo(8L);
    assertThat(now.getArpUnresolvedDiscards()).isZero();

    RouteSample afterReboot = host(2L, 9L);
    kind.toDeltas(host(10L, 5L), afterReboot);
    assertThat(afterReboot.getArpResFailed()).isNull();
    assertThat(afterReboot.getArpUnresolvedDiscards()).isNull();

    RouteSample first = host(10L, 5L);
    kind.toDeltas(null, first);
    assertThat(first.getArpResFailed()).isNull();
  }

  @Test
  void mergingSumsTheCountersAndKeepsANeighbourUnresolvedEarlierInTheWindow() {
    RouteSample earlier = host(3L, null, neighbour("10.0.0.9", 2, "INCOMPLETE", 100));
    RouteSample later = host(4L, 1L, neighbour("10.0.0.7", 2, "FAILED", 200));

    RouteSample merged = kind.merge(earlier, later);

    assertThat(merged.getArpResFailed()).isEqualTo(7L);
    assertThat(merged.getArpUnresolvedDiscards()).isEqualTo(1L);
    assertThat(merged.getNeighbours())
        .extracting(NeighbourEntry::getAddress)
        .containsExactly("10.0.0.9", "10.0.0.7");
  }
}
