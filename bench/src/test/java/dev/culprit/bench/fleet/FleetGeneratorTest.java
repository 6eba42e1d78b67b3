package dev.culprit.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The benchmark's fleet is judged as intended: one cause per faulty host and window, no more. */
class FleetGeneratorTest {

  private static final long BASE = 1_700_000_000_000L;

  @Test
  void eachFaultyHostGivesItsOneCausePerWindowAndHealthyHostsNone() {
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(40, 3, Duration.ofSeconds(10), 0.25));
    try (TopologyHarness h = new TopologyHarness()) {
      for (int c = 0; c < 3; c++) {
        for (FleetGenerator.Generated g : cycle(fleet, c)) {
          h.pipeRaw(g.topic(), g.key(), g.value());
        }
      }
      h.advanceTo(BASE + 3 * 10_000 + 12_000);
      List<RootCause> causes = h.causes();
      assertThat(h.deadLetters()).isEmpty();
      Map<String, List<Cause>> byHost =
          causes.stream()
              .filter(c -> c.getWindowStartMs() == BASE + 10_000)
              .collect(
                  Collectors.groupingBy(
                      RootCause::getHost,
                      Collectors.mapping(RootCause::getCause, Collectors.toList())));
      assertThat(fleet.faultyHosts()).isBetween(5, 15);
      for (int host = 0; host < 40; host++) {
        FleetGenerator.Fault fault = fleet.fault(host);
        List<Cause> got = byHost.getOrDefault(FleetGenerator.hostName(host), List.of());
        if (fault == null) {
          assertThat(got).as("healthy host %d", host).isEmpty();
        } else {
          assertThat(got).as("host %d with %s", host, fault).containsExactly(expected(fault));
        }
      }
    }
  }

  /**
   * Live, probe rounds reach the host window through two repartition topics, a commit interval or
   * two after the samples, and each cogrouped input of the window keeps its own stream time (and
   * starts it afresh when a task moves to another instance): a round for a window the samples
   * already closed updated it, and the suppression emitted it a second time, every cause in it
   * twice. Here every probe round comes one cycle late; each window must still be judged once.
   */
  @Test
  void aWindowUpdatedAfterItClosedIsNotJudgedAgain() {
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(12, 2, Duration.ofSeconds(10), 0.5));
    try (TopologyHarness h = new TopologyHarness()) {
      List<FleetGenerator.Generated> lateProbes = List.of();
      for (int c = 0; c < 8; c++) {
        List<FleetGenerator.Generated> probes = new java.util.ArrayList<>();
        for (FleetGenerator.Generated g : cycle(fleet, c)) {
          if (g.topic() == dev.culprit.schemas.Topics.PROBE) {
            probes.add(g);
          } else {
            h.pipeRaw(g.topic(), g.key(), g.value());
          }
        }
        for (FleetGenerator.Generated g : lateProbes) {
          h.pipeRaw(g.topic(), g.key(), g.value());
        }
        lateProbes = probes;
      }
      List<RootCause> causes = h.causes();
      assertThat(causes).hasSizeGreaterThan(20);
      Map<String, Long> copies =
          causes.stream()
              .collect(
                  Collectors.groupingBy(c -> c.getEventId().toString(), Collectors.counting()));
      assertThat(copies).allSatisfy((id, n) -> assertThat(n).as("copies of %s", id).isEqualTo(1));
    }
  }

  /**
   * Kafka Streams reads a task's partitions in timestamp order only as far as it has fetched them:
   * on a cluster (a partition whose last fetch found nothing new, a leader that moved, a task that
   * just moved to another instance) the next cycle of some sample topics is read before this cycle
   * of another, and the suppression closes the window on the later samples. Here the firewall and
   * protocol samples of one cycle in three come after the next cycle: every window must still be
   * judged once, whole — the causes, by event id and content, those of the samples in order.
   */
  @Test
  void aWindowClosedBeforeOneOfItsSourcesIsJudgedWhenTheSourceComes() {
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(12, 2, Duration.ofSeconds(10), 0.5));
    Map<String, RootCause> inOrder;
    try (TopologyHarness h = TopologyHarness.hostTime(ProcessorConfig.defaults("ttd:9092"))) {
      for (int c = 0; c < 9; c++) {
        for (FleetGenerator.Generated g : cycle(fleet, c)) {
          h.pipeRaw(g.topic(), g.key(), g.value());
        }
      }
      inOrder = byId(h.causes());
    }
    try (TopologyHarness h = TopologyHarness.hostTime(ProcessorConfig.defaults("ttd:9092"))) {
      List<FleetGenerator.Generated> behind = new java.util.ArrayList<>();
      for (int c = 0; c < 9; c++) {
        // Every third cycle the two topics fall behind; the cycle after, they catch up (each
        // partition stays in order, as on a broker) once the others' next cycle was read.
        boolean fallsBehind = c % 3 == 1;
        List<FleetGenerator.Generated> catchUp = new java.util.ArrayList<>(behind);
        behind.clear();
        for (FleetGenerator.Generated g : cycle(fleet, c)) {
          boolean slowTopic =
              g.topic() == dev.culprit.schemas.Topics.FILTER
                  || g.topic() == dev.culprit.schemas.Topics.PROTOCOL;
          if (slowTopic && fallsBehind) {
            behind.add(g);
          } else if (slowTopic && !catchUp.isEmpty()) {
            catchUp.add(g);
          } else {
            h.pipeRaw(g.topic(), g.key(), g.value());
          }
        }
        for (FleetGenerator.Generated g : catchUp) {
          h.pipeRaw(g.topic(), g.key(), g.value());
        }
      }
      assertThat(inOrder).hasSizeGreaterThan(20);
      List<RootCause> causes = h.causes();
      Map<String, Long> copies =
          causes.stream()
              .collect(
                  Collectors.groupingBy(c -> c.getEventId().toString(), Collectors.counting()));
      assertThat(copies).allSatisfy((id, n) -> assertThat(n).as("copies of %s", id).isEqualTo(1));
      Map<String, RootCause> got = byId(causes);
      assertThat(got.keySet()).as("cause ids").isEqualTo(inOrder.keySet());
      for (String id : inOrder.keySet()) {
        assertThat(got.get(id)).as("cause %s", id).isEqualTo(inOrder.get(id));
      }
    }
  }

  private static Map<String, RootCause> byId(List<RootCause> causes) {
    return causes.stream()
        .collect(
            Collectors.toMap(
                c -> c.getEventId().toString(), c -> c, (a, b) -> a, java.util.TreeMap::new));
  }

  /** Cycle {@code c} of every host, 10 s cycles from BASE, hosts in the order of their phases. */
  private static List<FleetGenerator.Generated> cycle(FleetGenerator fleet, int c) {
    List<FleetGenerator.Generated> all = new java.util.ArrayList<>();
    for (int host : FleetBench.hostsByPhase(fleet)) {
      all.addAll(fleet.hostCycle(host, c, BASE + c * 10_000 + fleet.phaseMs(host)));
    }
    return all;
  }

  private static Cause expected(FleetGenerator.Fault fault) {
    return switch (fault) {
      case RANDOM_DROP -> Cause.FIREWALL_DROP;
      case NETEM_LOSS -> Cause.QDISC_LOSS;
      case SMALL_MTU -> Cause.MTU_MISMATCH;
      case LISTEN_OVERFLOW -> Cause.LISTEN_OVERFLOW;
    };
  }
}
