package dev.culprit.bench.fleet;

import dev.culprit.broker.cluster.KafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Benchmark (issue 12): a processor instance is killed ({@code kill -9}) → how long until the
 * partitions it worked on produce causes again, p50/p95 over many kills. Two instances share six
 * partitions of a three-broker cluster under the failover test's load (twelve hosts, half faulty, a
 * cycle a second); each round kills one of them (alternating), measures from the kill to the first
 * committed cause of one of its former partitions for a window from the kill on, then starts it
 * again and waits for the group to give it work back.
 *
 * <p>What bounds it: the group session timeout (6 s here, {@code session.timeout.ms}; Kafka's
 * default is 45 s), the rebalance, the takeover's restore, the killed instance's open transaction
 * (aborted at its timeout, which blocks read-committed readers of what it wrote), and the commit
 * interval (1 s) before a cause is readable.
 *
 * <p>{@code bench/run ProcessorKillBench [KILLS]} (default 20).
 */
public final class ProcessorKillBench {

  private static final int PARTITIONS = 6;
  private static final Duration WAIT = Duration.ofSeconds(120);

  private ProcessorKillBench() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path work = Files.createTempDirectory("culprit-killbench-");
    long interval = ProcessorFleet.INTERVAL.toMillis();
    // A cycle a second runs event time ten times the wall clock: start it far enough back that
    // every round (some 30 cycles) stays behind the clock.
    long base = (System.currentTimeMillis() / interval - 60 - 40L * kills) * interval;
    List<Double> seconds = new ArrayList<>();
    try (KafkaCluster cluster =
            KafkaCluster.start(
                PARTITIONS,
                Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
        ProcessorFleet fleet =
            new ProcessorFleet(
                cluster,
                new FleetGenerator.Options(12, 2, ProcessorFleet.INTERVAL, 0.5),
                PARTITIONS,
                base)) {
      String app = "culprit-killbench-" + Long.toString(System.nanoTime(), 36);
      Map<String, ChildProcessor> children = new java.util.LinkedHashMap<>();
      ProcessorFleet.Feeder feeder = new ProcessorFleet.Feeder(fleet, WAIT);
      try (ProcessorFleet.Causes causes = fleet.causesFrom(fleet.causesEnd())) {
        for (String name : List.of("a", "b")) {
          children.put(name, fleet.startInstance(app, name, work));
        }
        fleet.awaitAssignment(app, List.of("a", "b"), WAIT);
        feeder.start();
        for (int k = 0; k < kills; k++) {
          Map<String, Set<Integer>> now = fleet.awaitAssignment(app, List.of("a", "b"), WAIT);
          String victim = k % 2 == 0 ? "a" : "b";
          if (fleet.withCauses(now.get(victim)).isEmpty()) {
            victim = victim.equals("a") ? "b" : "a"; // its partitions have no faulty host
          }
          Set<Integer> watched = fleet.withCauses(now.get(victim));
          // The victim is working: a cause of its partitions from a window not yet closed.
          int working = fleet.cycles();
          causes.awaitCause(
              c ->
                  watched.contains(fleet.partitionOf(c.getHost().toString()))
                      && c.getWindowStartMs() >= fleet.windowOf(working),
              WAIT,
              victim + " working");
          int killedAt = fleet.cycles();
          long killed = System.nanoTime();
          children.get(victim).kill();
          long again =
              causes.awaitCause(
                  c ->
                      watched.contains(fleet.partitionOf(c.getHost().toString()))
                          && c.getWindowStartMs() >= fleet.windowOf(killedAt),
                  WAIT,
                  "causes of " + watched + " after " + victim + " was killed");
          double s = (again - killed) / 1e9;
          seconds.add(s);
          System.out.printf("kill %d (%s, partitions %s): %.1f s%n", k + 1, victim, watched, s);
          children.put(victim, fleet.startInstance(app, victim, work));
        }
      } finally {
        feeder.stop();
        for (ChildProcessor c : children.values()) {
          c.kill();
        }
      }
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    System.out.printf(
        "processor instance kill -> its partitions' causes again, %d kills: p50 %.1f s, p95 %.1f"
            + " s, max %.1f s%n",
        sorted.size(),
        percentile(sorted, 0.50),
        percentile(sorted, 0.95),
        sorted.get(sorted.size() - 1));
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(List<Double> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
