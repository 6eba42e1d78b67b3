package dev.culprit.bench.fleet;

import dev.culprit.broker.cluster.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor's exactly-once promise when its instances fail, on a real three-broker cluster:
 * processor instances run as separate JVMs (the real topology, {@link BenchApp}), a generated fleet
 * with faults on several hosts is fed cycle by cycle, and the committed causes on {@code
 * culprit.rootcause.packet-loss} must equal, by event id and content, those of the topology test
 * driver over the same samples — no cause lost, none twice.
 */
class ProcessorFailoverTest {

  private static final int PARTITIONS = 6;
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** Twelve hosts, two namespaces each, half of them faulty: six causes a window. */
  private static final FleetGenerator.Options FLEET =
      new FleetGenerator.Options(12, 2, ProcessorFleet.INTERVAL, 0.5);

  private static KafkaCluster cluster;
  private static ProcessorFleet fleet;

  @TempDir static Path work;

  @BeforeAll
  static void startCluster() throws Exception {
    // The coordinator looks for timed-out transactions every second, not every 10 s: a killed
    // instance's open transaction is aborted at its timeout, not up to 10 s later.
    cluster =
        KafkaCluster.start(
            PARTITIONS,
            Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
    fleet = new ProcessorFleet(cluster, FLEET, PARTITIONS);
  }

  @AfterAll
  static void stopCluster() {
    if (fleet != null) {
      fleet.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Scenario 7: two instances share six partitions; one is killed ({@code kill -9}) while its
   * windows are open, the other takes its partitions over, the killed one comes back and gets work
   * again — and the causes are those of an undisturbed run.
   */
  @Test
  void killedInstanceIsTakenOverAndComesBackWithNoCauseLostOrRepeated() throws Exception {
    String app = "culprit-failover-" + Long.toString(System.nanoTime(), 36);
    Map<TopicPartition, Long> start = fleet.causesEnd();
    List<ChildProcessor> children = new ArrayList<>();
    ProcessorFleet.Feeder feeder = new ProcessorFleet.Feeder(fleet, WAIT);
    try (ProcessorFleet.Causes causes = fleet.causesFrom(start)) {
      children.add(fleet.startInstance(app, "a", work));
      children.add(fleet.startInstance(app, "b", work));
      Map<String, Set<Integer>> before = fleet.awaitAssignment(app, List.of("a", "b"), WAIT);
      Set<Integer> ofA = before.get("a");
      feeder.start();

      // A works: a cause of one of its hosts is committed. Kill it with its next windows open.
      causes.awaitCause(
          c -> ofA.contains(fleet.partitionOf(c.getHost().toString())),
          WAIT,
          "a cause from instance a's partitions " + ofA);
      int killedAtCycle = fleet.cycles();
      long killed = System.nanoTime();
      children.get(0).kill();

      // B takes A's partitions over and their hosts' causes come again, from later windows.
      fleet.awaitAssignment(app, List.of("b"), WAIT);
      long resumed =
          causes.awaitCause(
              c ->
                  ofA.contains(fleet.partitionOf(c.getHost().toString()))
                      && c.getWindowStartMs() >= fleet.windowOf(killedAtCycle),
              WAIT,
              "a cause from a's former partitions after the kill");
      System.out.printf(
          "instance kill (window %d, a had %s) -> its partitions' causes again: %.1f s%n",
          fleet.windowOf(killedAtCycle), ofA, (resumed - killed) / 1e9);

      // A comes back on its state directory and the group rebalances work to it again.
      children.set(0, fleet.startInstance(app, "a", work));
      Map<String, Set<Integer>> after = fleet.awaitAssignment(app, List.of("a", "b"), WAIT);
      int backAtCycle = fleet.cycles();
      causes.awaitCause(
          c ->
              after.get("a").contains(fleet.partitionOf(c.getHost().toString()))
                  && c.getWindowStartMs() >= fleet.windowOf(backAtCycle),
          WAIT,
          "a cause from a's partitions " + after.get("a") + " after it came back");
      feeder.stopAfter(fleet.cycles() + 2);

      fleet.assertSameCausesAsReference(causes, children, WAIT);
    } finally {
      feeder.stop();
      for (ChildProcessor c : children) {
        c.kill();
      }
    }
  }
}
