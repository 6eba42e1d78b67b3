package dev.culprit.processor.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The lifecycle decisions alone, for inputs the packet-loss topology cannot make. */
class LifecyclesTest {

  private static final long W = 10_000;
  private final Lifecycles lifecycles = new Lifecycles(LifecycleSettings.defaults(), W);
  private final SortedMap<String, CauseTransition> open = new TreeMap<>();

  @Test
  void anOomCauseStartsAnEpisodeThatTheHostsQuietWindowsEnd() {
    RootCause throttled = cause(Cause.CPU_THROTTLED, "tomcat", 20_000, Map.of("periods", 100L));

    List<CauseTransition> started =
        lifecycles.apply("vm", open, new LifecycleInput(false, List.of(throttled)), 25_000);
    assertThat(started).extracting(CauseTransition::getState).containsExactly(CauseState.STARTED);
    assertThat(started.get(0).getFirstWindowStartMs()).isEqualTo(20_000);
    assertThat(started.get(0).getContainer()).isEqualTo("c0ffee");

    assertThat(tick(20_000)).as("the host window it was seen in").isEmpty();
    assertThat(tick(30_000)).isEmpty();
    assertThat(tick(40_000)).isEmpty();
    List<CauseTransition> ended = tick(50_000);
    assertThat(ended).extracting(CauseTransition::getState).containsExactly(CauseState.ENDED);
    assertThat(ended.get(0).getTotals()).containsEntry("periods", 100L);
    assertThat(open).isEmpty();
  }

  @Test
  void theSameSignatureTwiceInOneWindowCountsOneWindowAndBothTotals() {
    RootCause a = cause(Cause.CPU_THROTTLED, "tomcat", 20_000, Map.of("periods", 100L));
    RootCause b = cause(Cause.CPU_THROTTLED, "tomcat", 20_000, Map.of("periods", 50L));

    lifecycles.apply("vm", open, new LifecycleInput(true, List.of(a, b)), 20_000);

    CauseTransition episode = open.values().iterator().next();
    assertThat(episode.getWindowsSeen()).isEqualTo(1);
    assertThat(episode.getTotals()).containsEntry("periods", 150L);
  }

  @Test
  void settingsAndGaugesAreNotSummedIntoTotals() {
    RootCause mtu =
        cause(Cause.MTU_MISMATCH, "cu-web", 0, Map.of("mtu", 100L, "rxDropped", 16L, "fill", 0.5));

    lifecycles.apply("vm", open, new LifecycleInput(true, List.of(mtu)), 0);
    lifecycles.apply("vm", open, new LifecycleInput(true, List.of(mtu)), W);

    assertThat(open.values().iterator().next().getTotals())
        .containsEntry("rxDropped", 32L)
        .doesNotContainKeys("mtu", "fill");
  }

  private List<CauseTransition> tick(long windowStartMs) {
    return lifecycles.apply("vm", open, new LifecycleInput(true, List.of()), windowStartMs);
  }

  private static RootCause cause(
      Cause cause, String location, long windowStartMs, Map<String, Object> evidence) {
    return RootCause.newBuilder()
        .setEventId("e-" + windowStartMs)
        .setHost("vm")
        .setNetns(location)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowStartMs + W)
        .setCause(cause)
        .setLayer(Layer.CPU)
        .setLocation(location)
        .setContainer("c0ffee")
        .setConfidence(1.0)
        .setEvidence(new TreeMap<>(evidence))
        .setSymptoms(Map.of())
        .setSummary(cause + " in " + location)
        .setRemediation("fix it")
        .build();
  }
}
