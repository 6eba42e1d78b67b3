package dev.culprit.collector.publish;

import static dev.culprit.collector.publish.PublishingFleet.assertEachSampleOnce;

import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The collector's publishing against a real three-broker cluster whose brokers fail under it:
 * several collectors publish all along, and afterwards the sample topic must hold each of their
 * samples exactly once, by {@code collectorId} and {@code seq}. Each scenario runs with both
 * clients that can carry the records.
 */
class BrokerFailureTest {

  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PROBE = Topics.PROBE.name();
  private static KafkaCluster cluster;

  @TempDir Path spools;

  /** The two clients {@link ProducerSettings} chooses between. */
  enum Client {
    /** The built-in produce client ({@link WireTransport}): the default settings. */
    BUILT_IN(Map.of()),
    /** The Java client ({@link KafkaClientTransport}): lz4 is what only it has. */
    JAVA(Map.of("compression.type", "lz4"));

    final Map<String, String> overrides;

    Client(Map<String, String> overrides) {
      this.overrides = overrides;
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    // The expiry check runs every half second, so a test can expire producer state on demand.
    cluster =
        KafkaCluster.start(PARTITIONS, Map.of("producer.id.expiration.check.interval.ms", "500"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void deliversEverySampleOnceWhenALeaderIsKilledMidWindowAndComesBack(Client client)
      throws Exception {
    publishThrough(
        "kill-" + client,
        client,
        fleet -> {
          fleet.awaitCycles(20);
          int leader = firstLeader(fleet);
          cluster.kill(leader);
          fleet.awaitCycles(50);
          cluster.restart(leader);
          recovered(fleet);
        });
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void deliversEverySampleOnceThroughARollingRestartOfAllBrokers(Client client) throws Exception {
    publishThrough(
        "roll-" + client,
        client,
        fleet -> {
          for (int id = 1; id <= KafkaCluster.BROKERS; id++) {
            fleet.awaitCycles(10);
            cluster.stop(id);
            fleet.awaitCycles(10);
            cluster.restart(id);
            cluster.awaitFullIsr(List.of(PROBE), WAIT);
          }
          fleet.awaitCycles(10);
        });
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void deliversEverySampleOnceWhenTheBrokersForgetTheAgentsProducerState(Client client)
      throws Exception {
    publishThrough(
        "forget-" + client,
        client,
        fleet -> {
          fleet.awaitCycles(20);
          // Every broker forgets an idle producer after a second; the fleet idles three.
          setProducerExpiry("1000");
          try {
            fleet.pause(true);
            waitIdle(Duration.ofSeconds(3));
            fleet.pause(false);
            fleet.awaitCycles(20);
          } finally {
            setProducerExpiry(null);
          }
          // And the leader comes back from a wiped disk: no log, no producer state at all.
          int leader = firstLeader(fleet);
          cluster.kill(leader);
          cluster.wipe(leader);
          fleet.awaitCycles(30);
          cluster.restart(leader);
          recovered(fleet);
        });
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void deliversEverySampleOnceWhenALeaderStallsWithoutClosingConnections(Client client)
      throws Exception {
    publishThrough(
        "stall-" + client,
        client,
        fleet -> {
          fleet.awaitCycles(20);
          int partition = fleet.partitionOf(0, PARTITIONS);
          int leader = cluster.leaderOf(PROBE, partition);
          cluster.partition(leader);
          try {
            cluster.awaitLeaderOtherThan(PROBE, partition, leader, WAIT);
            fleet.awaitCycles(50);
          } finally {
            cluster.heal(leader);
          }
          recovered(fleet);
        });
  }

  /** What a scenario does to the cluster while the fleet publishes. */
  private interface Failures {
    void inflict(PublishingFleet fleet) throws Exception;
  }

  /**
   * Once every partition is fully replicated, a fleet named {@code name} publishes through {@code
   * failures}; then the topic must hold each of its samples exactly once.
   */
  private void publishThrough(String name, Client client, Failures failures) throws Exception {
    cluster.awaitFullIsr(List.of(PROBE), WAIT);
    try (PublishingFleet fleet = fleet(name, client)) {
      failures.inflict(fleet);

      check(fleet);
    }
  }

  /** The leader of the partition the fleet's first collector publishes to. */
  private static int firstLeader(PublishingFleet fleet) throws Exception {
    return cluster.leaderOf(PROBE, fleet.partitionOf(0, PARTITIONS));
  }

  /** Waits for every replica to be back in sync, then lets the fleet publish 20 more cycles. */
  private static void recovered(PublishingFleet fleet) throws Exception {
    cluster.awaitFullIsr(List.of(PROBE), WAIT);
    fleet.awaitCycles(20);
  }

  private PublishingFleet fleet(String name, Client client) throws Exception {
    Map<String, String> overrides = new HashMap<>(cluster.clientProperties());
    // A stalled broker is given up after 5 s rather than the default 30 s: shorter tests, the
    // same paths through the client.
    overrides.put("request.timeout.ms", "5000");
    overrides.putAll(client.overrides);
    return new PublishingFleet(
        "cu-" + name.toLowerCase(), 4, cluster.bootstrapServers(), overrides, spools);
  }

  private static void check(PublishingFleet fleet) throws InterruptedException {
    Map<String, Long> published = fleet.stopAndFlush(WAIT);
    assertEachSampleOnce(
        published, fleet.readSeqs(cluster.bootstrapServers(), cluster.clientProperties()));
  }

  private static void setProducerExpiry(String ms) throws Exception {
    ConfigEntry entry = new ConfigEntry("producer.id.expiration.ms", ms == null ? "" : ms);
    AlterConfigOp op =
        new AlterConfigOp(
            entry, ms == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
    try (Admin admin = cluster.admin()) {
      admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(op)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** The idle time itself is what the scenario needs, not a wait for something to happen. */
  private static void waitIdle(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
