package dev.culprit.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.schemas.RootCause;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 scenario 8, scale-out on a real three-broker cluster: how many processor instances share
 * the work, and instances joining and leaving while samples flow, do not change the causes — by
 * event id and content those of the topology test driver over the same samples, each once.
 *
 * <p>Each group starts at the end of every topic ({@link ProcessorFleet#startGroupAtEnd}) and is
 * fed by a new {@link ProcessorFleet} of the same options and cycle-0 time: every group gets the
 * same records.
 */
class ProcessorScaleOutTest {

  private static final int PARTITIONS = 6;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final FleetGenerator.Options FLEET =
      new FleetGenerator.Options(12, 2, ProcessorFleet.INTERVAL, 0.5);

  private static KafkaCluster cluster;
  private static long base;

  @TempDir static Path work;

  private final List<ChildProcessor> children = new ArrayList<>();
  private ProcessorFleet fleet;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = KafkaCluster.start(PARTITIONS);
    base = ProcessorFleet.startOfTime();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopInstances() throws InterruptedException {
    for (ChildProcessor c : children) {
      c.kill();
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  /**
   * One, two and three instances, one group each, over the same twelve cycles: every group gives
   * the reference causes, so all give the same.
   */
  @Test
  void oneTwoAndThreeInstancesGiveTheSameCauses() throws Exception {
    Map<String, RootCause> first = null;
    for (int n = 1; n <= 3; n++) {
      fleet = new ProcessorFleet(cluster, FLEET, PARTITIONS, base);
      String app = "culprit-scale-" + n + "-" + Long.toString(System.nanoTime(), 36);
      List<String> names = new ArrayList<>();
      fleet.startGroupAtEnd(app);
      try (ProcessorFleet.Causes causes = fleet.causesFrom(fleet.causesEnd())) {
        for (int i = 0; i < n; i++) {
          names.add("i" + i);
          children.add(fleet.startInstance(app, "i" + i, work));
        }
        fleet.awaitAssignment(app, names, WAIT);
        for (int c = 0; c < 12; c++) {
          fleet.produceCycle();
        }
        Map<String, RootCause> got =
            fleet.assertSameCausesAsReference(causes, List.copyOf(children), WAIT);
        if (first == null) {
          first = got;
        } else {
          assertThat(got).as("causes of %d instances against 1", n).isEqualTo(first);
        }
      }
      children.clear();
      fleet.close();
      fleet = null;
    }
  }

  /**
   * Under load (a cycle a second), a second and a third instance join and take partitions over,
   * then one leaves (stopped cleanly, as a scale-in does) and the other two take its partitions
   * back: each change is followed by causes from the partitions that moved, and in the end the
   * causes are the reference's, none lost, none twice.
   */
  @Test
  void instancesJoiningAndLeavingUnderLoadChangeNoCause() throws Exception {
    fleet = new ProcessorFleet(cluster, FLEET, PARTITIONS, base);
    String app = "culprit-scale-live-" + Long.toString(System.nanoTime(), 36);
    Map<TopicPartition, Long> start = fleet.causesEnd();
    fleet.startGroupAtEnd(app);
    ProcessorFleet.Feeder feeder = new ProcessorFleet.Feeder(fleet, WAIT);
    try (ProcessorFleet.Causes causes = fleet.causesFrom(start)) {
      children.add(fleet.startInstance(app, "a", work));
      fleet.awaitAssignment(app, List.of("a"), WAIT);
      feeder.start();
      causes.awaitCause(c -> true, WAIT, "a first cause");

      children.add(fleet.startInstance(app, "b", work));
      awaitWorkOf(causes, app, List.of("a", "b"), "b");
      children.add(fleet.startInstance(app, "c", work));
      awaitWorkOf(causes, app, List.of("a", "b", "c"), "c");

      Set<Integer> ofB = fleet.awaitAssignment(app, List.of("a", "b", "c"), WAIT).get("b");
      children.get(1).close();
      int leftAt = fleet.cycles();
      fleet.awaitAssignment(app, List.of("a", "c"), WAIT);
      awaitCauseFrom(causes, ofB, leftAt, "b left");
      feeder.stopAfter(fleet.cycles() + 2);

      fleet.assertSameCausesAsReference(causes, List.copyOf(children), WAIT);
    } finally {
      feeder.stop();
    }
  }

  /**
   * Waits for the group to settle on {@code members} and for a cause from {@code joined}'s work.
   */
  private void awaitWorkOf(
      ProcessorFleet.Causes causes, String app, List<String> members, String joined) {
    Map<String, Set<Integer>> now = fleet.awaitAssignment(app, members, WAIT);
    awaitCauseFrom(causes, now.get(joined), fleet.cycles(), joined + " joined");
  }

  /** Waits for a cause of a window from cycle {@code cycle} on, from one of {@code partitions}. */
  private void awaitCauseFrom(
      ProcessorFleet.Causes causes, Set<Integer> partitions, int cycle, String after) {
    Set<Integer> want = fleet.withCauses(partitions);
    causes.awaitCause(
        c ->
            (want.isEmpty() || want.contains(fleet.partitionOf(c.getHost().toString())))
                && c.getWindowStartMs() >= fleet.windowOf(cycle),
        WAIT,
        "a cause from partitions " + want + " of " + partitions + " after " + after);
  }
}
