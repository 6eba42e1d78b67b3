package dev.culprit.processor;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.packetloss.PacketLossTopology;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Counter deltas through the whole topology, probed with a random DROP rule (any increase is a
 * cause): a restart is never a negative or inflated delta, and the counting resumes after it.
 */
class CounterResetTest {

  private static final String SPEC =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";

  private final SampleFactory host = new SampleFactory("db-2", cycle(0));

  private FilterSample dropped(int cycle, long packets) {
    host.at(cycle(cycle));
    return host.filter(
        "",
        List.of(rule("INPUT", 1, "DROP", SPEC, packets, packets * 40)),
        List.of(policy("INPUT", "ACCEPT", 1000L * cycle, 40_000L * cycle)));
  }

  @Test
  void theFirstSampleGivesNoDeltaHoweverHighItsCounters() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(dropped(0, 5_000)).advanceTo(closing(0));
      assertThat(h.causes()).isEmpty();
    }
  }

  @Test
  void aCounterThatGoesDownIsARestartNotANegativeDelta() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(dropped(0, 1_000), dropped(1, 5)); // iptables -Z, then 5 more
      h.advanceTo(closing(1));
      assertThat(h.causes()).as("window of the restart").isEmpty();
      h.pipe(dropped(2, 25)).advanceTo(closing(2));
      assertThat(droppedPackets(h.causes())).containsExactly(20L);
    }
  }

  @Test
  void aNewCollectorIsAResetEvenWhenCountersRose() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(dropped(0, 100));
      host.restartCollector("collector-2");
      h.pipe(dropped(1, 100_000)); // what happened while it was down belongs to no window
      h.advanceTo(closing(1));
      assertThat(h.causes()).isEmpty();
      h.pipe(dropped(2, 100_010)).advanceTo(closing(2));
      assertThat(droppedPackets(h.causes())).containsExactly(10L);
    }
  }

  @Test
  void aNewBootIsAResetEvenWhenCountersRose() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(dropped(0, 500));
      host.reboot("boot-2", "collector-2");
      h.pipe(dropped(1, 800));
      h.advanceTo(closing(1));
      assertThat(h.causes()).isEmpty();
      h.pipe(dropped(2, 810)).advanceTo(closing(2));
      assertThat(droppedPackets(h.causes())).containsExactly(10L);
    }
  }

  @Test
  void aSampleAfterMoreThanTheMaximumGapGivesNoDelta() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(dropped(0, 100), dropped(10, 5_000)); // 100 s later, beyond the 60 s default
      h.advanceTo(closing(10));
      assertThat(h.causes()).isEmpty();
      h.pipe(dropped(11, 5_010)).advanceTo(closing(11));
      assertThat(droppedPackets(h.causes())).containsExactly(10L);
    }
  }

  @Test
  void aDuplicateOrOlderSampleIsNotCountedTwice() {
    try (TopologyHarness h = new TopologyHarness()) {
      FilterSample first = dropped(0, 100);
      FilterSample second = dropped(1, 130);
      h.pipe(first, second, second, first); // a retried send, and a stale one
      h.pipe(dropped(2, 131)).advanceTo(closing(2));
      assertThat(droppedPackets(h.causes())).containsExactly(30L, 1L);
    }
  }

  @Test
  void twoSamplesOfOneWindowAddUp() {
    try (TopologyHarness h = new TopologyHarness()) {
      host.at(cycle(0));
      h.pipe(dropped(0, 100));
      h.pipe(dropped(1, 110));
      host.at(cycle(1) + 5_000); // a collector sampling every 5 s
      h.pipe(
          host.filter(
              "",
              List.of(rule("INPUT", 1, "DROP", SPEC, 125, 5_000)),
              List.of(policy("INPUT", "ACCEPT", 1500, 60_000))));
      h.advanceTo(closing(1) + 5_000);
      List<RootCause> causes = h.causes();
      assertThat(droppedPackets(causes)).containsExactly(25L);
      assertThat(causes.get(0).getEvidence()).containsEntry("intervalMs", 15_000L);
    }
  }

  @Test
  void gaugesAloneJudgeAWindowWithoutDeltas() {
    try (TopologyHarness h = new TopologyHarness()) {
      host.at(cycle(0));
      h.pipe(host.conntrack("", 262_000, 262_144, Map.of("drop", 0L)));
      h.advanceTo(closing(0));
      assertThat(h.causes())
          .singleElement()
          .satisfies(c -> assertThat(c.getEvidence()).containsEntry("intervalMs", 0L));
    }
  }

  @Test
  void baselinesOfANamespaceUnseenForTheTtlAreSwept() {
    ProcessorConfig config =
        ProcessorConfig.defaults("ttd:9092")
            .withCounterBaselines(Duration.ofMinutes(1), Duration.ofMinutes(2));
    try (TopologyHarness h = new TopologyHarness(config)) {
      host.at(cycle(0));
      h.pipe(host.protocol("gone-pod", Map.of("Tcp.RetransSegs", 1L)));
      h.pipe(host.protocol("", Map.of("Tcp.RetransSegs", 1L)));
      KeyValueStore<String, byte[]> store =
          h.driver().getKeyValueStore(dev.culprit.processor.delta.BaselineStore.NAME);
      assertThat(keys(store)).hasSize(2);
      for (int c = 1; c <= 20; c++) { // 200 s of the host namespace only
        host.at(cycle(c));
        h.pipe(host.protocol("", Map.of("Tcp.RetransSegs", 1L + c)));
      }
      assertThat(keys(store)).containsExactly("protocol\0db-2\0");
    }
  }

  @Test
  void ruleStateOfAHostWithNoWindowForTheTtlIsForgotten() {
    ProcessorConfig config =
        ProcessorConfig.defaults("ttd:9092")
            .withCounterBaselines(Duration.ofMinutes(1), Duration.ofMinutes(2));
    SampleFactory retired = new SampleFactory("retired-1", cycle(0));
    try (TopologyHarness h = new TopologyHarness(config)) {
      host.at(cycle(0));
      h.pipe(retired.protocol("", Map.of("Tcp.RetransSegs", 1L)));
      h.pipe(host.protocol("", Map.of("Tcp.RetransSegs", 1L)));
      h.advanceTo(closing(1));
      KeyValueStore<String, byte[]> streaks =
          h.driver().getKeyValueStore(PacketLossTopology.STREAKS_STORE);
      KeyValueStore<String, byte[]> held =
          h.driver().getKeyValueStore(PacketLossTopology.PROGRESS_STORE);
      assertThat(keys(streaks)).contains("retired-1", "db-2");
      assertThat(keys(held)).contains("retired-1");
      for (int c = 1; c <= 40; c++) { // 400 s of db-2 only, past the 2 min TTL and a sweep
        host.at(cycle(c));
        h.pipe(host.protocol("", Map.of("Tcp.RetransSegs", 1L + c)));
      }
      assertThat(keys(streaks)).containsExactly("db-2");
      assertThat(keys(held)).noneMatch(k -> k.contains("retired-1"));
    }
  }

  private static List<String> keys(KeyValueStore<String, byte[]> store) {
    List<String> keys = new java.util.ArrayList<>();
    try (var it = store.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }

  private static List<Long> droppedPackets(List<RootCause> causes) {
    return causes.stream().map(c -> (Long) c.getEvidence().get("droppedPackets")).toList();
  }

  @Test
  void aSoftnetCounterThatWraps32BitsGivesThatCpuNoDeltaThenCountingResumes() {
    SampleFactory f = new SampleFactory("db-2", cycle(0));
    try (TopologyHarness h = new TopologyHarness()) {
      // The kernel prints softnet_stat counters as 32-bit values: dropped wraps past 0xffffffff.
      h.pipe(
          f.at(cycle(0)).softnet(1000L, SampleFactory.cpu(0, 4_294_967_000L, 4_294_967_200L, 0)),
          f.at(cycle(1)).softnet(1000L, SampleFactory.cpu(0, 500L, 50L, 0)));
      h.advanceTo(closing(1));
      assertThat(h.causes()).as("window of the wrap").isEmpty();
      h.pipe(f.at(cycle(2)).softnet(1000L, SampleFactory.cpu(0, 20_500L, 2_450L, 0)))
          .advanceTo(closing(2));
      assertThat(h.causes())
          .singleElement()
          .satisfies(c -> assertThat(c.getEvidence()).containsEntry("dropped", 2_400L));
    }
  }
}
