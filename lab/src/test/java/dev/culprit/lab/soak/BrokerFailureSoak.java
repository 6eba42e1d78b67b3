package dev.culprit.lab.soak;

import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.collector.publish.PublishingFleet;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The long version of the collector's broker-failure tests ({@code BrokerFailureTest}): a fleet of
 * collectors publishes to the three-broker test cluster for {@code minutes} while, one after the
 * other, a random leader is killed and restarted, a random broker is cut off by its proxy and
 * healed, or the brokers are restarted one by one; then every sample must be on the topic exactly
 * once. Exits 1 when one is lost or duplicated.
 *
 * <p>{@code bench/run BrokerFailureSoak [minutes=30] [built-in|java] [collectors=8] [seed=1]}
 */
public final class BrokerFailureSoak {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String PROBE = Topics.PROBE.name();

  private BrokerFailureSoak() {}

  public static void main(String[] args) throws Exception {
    long minutes = args.length > 0 ? Long.parseLong(args[0]) : 30;
    boolean java = args.length > 1 && args[1].equals("java");
    int collectors = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Random random = new Random(args.length > 3 ? Long.parseLong(args[3]) : 1);
    Path spools = Files.createTempDirectory("culprit-soak-");
    long started = System.nanoTime();
    long deadline = started + Duration.ofMinutes(minutes).toNanos();
    int faults = 0;
    try (KafkaCluster cluster = KafkaCluster.start(6)) {
      Map<String, String> overrides = new HashMap<>(cluster.clientProperties());
      overrides.put("request.timeout.ms", "5000");
      if (java) {
        overrides.put("compression.type", "lz4"); // only the Java client has lz4
      }
      Map<String, Long> published;
      try (PublishingFleet fleet =
          new PublishingFleet(
              "cu-soak", collectors, cluster.bootstrapServers(), overrides, spools)) {
        while (System.nanoTime() < deadline) {
          fleet.awaitCycles(50);
          int partition = random.nextInt(6);
          int leader = cluster.leaderOf(PROBE, partition);
          switch (random.nextInt(3)) {
            case 0 -> {
              log("kill -9 of broker %d, leader of %s-%d", leader, PROBE, partition);
              cluster.kill(leader);
              fleet.awaitCycles(50);
              cluster.restart(leader);
            }
            case 1 -> {
              log("broker %d cut off by its proxy", leader);
              cluster.partition(leader);
              cluster.awaitLeaderOtherThan(PROBE, partition, leader, WAIT);
              fleet.awaitCycles(50);
              cluster.heal(leader);
            }
            default -> {
              log("rolling restart");
              for (int id = 1; id <= KafkaCluster.BROKERS; id++) {
                cluster.stop(id);
                fleet.awaitCycles(20);
                cluster.restart(id);
                cluster.awaitFullIsr(List.of(PROBE), WAIT);
              }
            }
          }
          cluster.awaitFullIsr(List.of(PROBE), WAIT);
          faults++;
        }
        published = fleet.stopAndFlush(WAIT);
        PublishingFleet.assertEachSampleOnce(
            published, fleet.readSeqs(cluster.bootstrapServers(), cluster.clientProperties()));
      }
      long samples = published.values().stream().mapToLong(Long::longValue).sum();
      log(
          "OK: %d samples of %d collectors, each once, through %d faults in %d s (%s client)",
          samples,
          collectors,
          faults,
          (System.nanoTime() - started) / 1_000_000_000L,
          java ? "Java" : "built-in");
    } catch (AssertionError e) {
      log("FAILED after %d faults: %s", faults, e.getMessage());
      System.exit(1);
    }
  }

  private static void log(String format, Object... args) {
    System.out.printf("%tT  %s%n", System.currentTimeMillis(), String.format(format, args));
  }
}
