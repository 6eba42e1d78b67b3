package dev.culprit.bench.collector;

import dev.culprit.broker.TopicConfigs;
import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.collector.publish.PublishingFleet;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Benchmark (issue 12): the leader of the partition an agent publishes to is killed ({@code kill
 * -9}) → how long until the cluster acknowledges a sample of it again, p50/p95 over many kills, for
 * both clients that carry the agent's records (the built-in one, and the Java client, chosen here
 * by lz4 as only it has that). One collector publishes a probe sample every 20 ms through the real
 * publish path to a three-broker cluster (replication 3, {@code min.insync.replicas=2}); the probe
 * topic is set to log-append time, so each record says when the broker that took it appended it.
 * The time of a kill is from just before the kill to the first append stamped after the old leader
 * was dead: no reader's own failover is in it. The broker comes back and its replicas catch up
 * before the next kill. At the end every sample must be on the topic exactly once.
 *
 * <p>What bounds it: the controller noticing the broker gone (its session, {@code
 * broker.session.timeout.ms}: 3 s in this test cluster, Kafka's default is 9 s, so a default
 * deployment adds the difference; a {@code kill -9} closes the broker's sockets, so clients see the
 * loss at once but a new leader is elected only then), the client's metadata refresh and back-off,
 * and its reconnect. The append on the new leader comes a follower fetch before the agent's
 * acknowledgement ({@code acks=all}): a few milliseconds here.
 *
 * <p>{@code bench/run LeaderKillBench [KILLS] [tls]} (default 20; {@code tls}: the cluster's client
 * listener SASL_SSL instead of SASL_PLAINTEXT).
 */
public final class LeaderKillBench {

  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String PROBE = Topics.PROBE.name();

  private LeaderKillBench() {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    if (kills < 1) {
      throw new IllegalArgumentException("KILLS must be at least 1, got " + kills);
    }
    boolean tls = args.length > 1 && args[1].equals("tls");
    Path work = Files.createTempDirectory("culprit-leaderkill-");
    Map<String, List<Double>> results = new LinkedHashMap<>();
    try (KafkaCluster cluster =
        tls ? KafkaCluster.startWithTls(PARTITIONS, Map.of()) : KafkaCluster.start(PARTITIONS)) {
      System.out.println("client listener: " + cluster.clientProperties().get("security.protocol"));
      logAppendTime(cluster);
      Map<String, Map<String, String>> clients = new LinkedHashMap<>();
      clients.put("built-in", Map.of());
      clients.put("java", Map.of("compression.type", "lz4"));
      for (Map.Entry<String, Map<String, String>> c : clients.entrySet()) {
        results.put(c.getKey(), run(cluster, c.getKey(), c.getValue(), kills, work));
      }
    } finally {
      dev.culprit.broker.KraftNodes.deleteRecursively(work);
    }
    for (Map.Entry<String, List<Double>> e : results.entrySet()) {
      List<Double> sorted = e.getValue().stream().sorted().toList();
      System.out.printf(
          "%s client: leader kill -> first sample acknowledged again, %d kills: p50 %.2f s, p95"
              + " %.2f s, max %.2f s%n",
          e.getKey(),
          sorted.size(),
          percentile(sorted, 0.50),
          percentile(sorted, 0.95),
          sorted.get(sorted.size() - 1));
    }
  }

  private static List<Double> run(
      KafkaCluster cluster, String name, Map<String, String> client, int kills, Path work)
      throws Exception {
    Map<String, String> overrides = new HashMap<>(cluster.clientProperties());
    overrides.putAll(client);
    List<Double> seconds = new ArrayList<>();
    cluster.awaitFullIsr(List.of(PROBE), WAIT);
    try (PublishingFleet fleet =
            new PublishingFleet(
                "cu-lk-" + name, 1, cluster.bootstrapServers(), overrides, work.resolve(name));
        KafkaConsumer<byte[], byte[]> reader = reader(cluster)) {
      TopicPartition tp = new TopicPartition(PROBE, fleet.partitionOf(0, PARTITIONS));
      reader.assign(List.of(tp));
      for (int k = 0; k < kills; k++) {
        cluster.awaitFullIsr(List.of(PROBE), WAIT);
        fleet.awaitCycles(25); // half a second of samples flowing to the leader
        int leader = cluster.leaderOf(PROBE, tp.partition());
        reader.seekToEnd(List.of(tp));
        reader.position(tp);
        long killing = System.currentTimeMillis();
        cluster.kill(leader);
        long dead = System.currentTimeMillis();
        long acknowledged = firstAppendAfter(reader, dead);
        double s = (acknowledged - killing) / 1e3;
        seconds.add(s);
        System.out.printf("%s kill %d (broker %d): %.2f s%n", name, k + 1, leader, s);
        cluster.restart(leader);
      }
      cluster.awaitFullIsr(List.of(PROBE), WAIT);
      Map<String, Long> published = fleet.stopAndFlush(WAIT);
      PublishingFleet.assertEachSampleOnce(
          published, fleet.readSeqs(cluster.bootstrapServers(), cluster.clientProperties()));
      System.out.printf("%s: %s samples, each on the topic once%n", name, published.values());
    }
    return seconds;
  }

  /** The append time of the first record the reader finds appended after {@code afterMs}. */
  private static long firstAppendAfter(KafkaConsumer<byte[], byte[]> reader, long afterMs) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
        if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
          throw new IllegalStateException("the probe topic is not on log-append time");
        }
        if (r.timestamp() > afterMs) {
          return r.timestamp();
        }
      }
    }
    throw new IllegalStateException("no sample acknowledged within " + WAIT + " of the kill");
  }

  private static KafkaConsumer<byte[], byte[]> reader(KafkaCluster cluster) {
    Properties p = new Properties();
    p.putAll(cluster.clientProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The probe topic stamps each record with its append time, and every broker says so. */
  private static void logAppendTime(KafkaCluster cluster) throws Exception {
    try (Admin admin = cluster.admin()) {
      TopicConfigs.set(admin, PROBE, "message.timestamp.type", "LogAppendTime", WAIT);
    }
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(List<Double> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
