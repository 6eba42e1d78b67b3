package dev.culprit.collector.publish;

import static dev.culprit.collector.publish.PublishingFleet.assertEachSampleOnce;
import static dev.culprit.collector.publish.PublishingFleet.assertEachSampleOnceInOrder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The collector's publishing against a real three-broker cluster whose brokers fail under it:
 * several collectors publish all along, and afterwards the sample topic must hold each of their
 * samples exactly once, by {@code collectorId} and {@code seq}. Each scenario runs with both
 * clients that can carry the records, over TLS with a SASL login (SASL_SSL), as production clusters
 * ask.
 */
class BrokerFailureTest {

  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PROBE = Topics.PROBE.name();
  private static final String PROTOCOL = Topics.PROTOCOL.name();
  private static final int HOSTS = 4;
  private static final KafkaPrincipal AGENT_PRINCIPAL =
      new KafkaPrincipal(KafkaPrincipal.USER_TYPE, KafkaCluster.AGENT_USER);
  private static final String AGENT = AGENT_PRINCIPAL.toString();

  /**
   * A fleet collector publishes about 50 small samples a second, some 5 KB/s uncompressed; the
   * quota lets a fraction of that through.
   */
  private static final double QUOTA_BYTES_PER_SECOND = 200;

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
        KafkaCluster.startWithTls(
            PARTITIONS, Map.of("producer.id.expiration.check.interval.ms", "500"));
    assertThat(cluster.clientProperties()).containsEntry("security.protocol", "SASL_SSL");
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

  @ParameterizedTest
  @EnumSource(Client.class)
  void aDeniedTopicWaitsInTheSpoolWhileTheOthersFlowAndArrivesInSeqOrderWhenAllowed(Client client)
      throws Exception {
    cluster.awaitFullIsr(List.of(PROBE, PROTOCOL), WAIT);
    List<AclBinding> grants = agentGrants();
    AclBinding deny =
        new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, PROBE, PatternType.LITERAL),
            new AccessControlEntry(AGENT, "*", AclOperation.WRITE, AclPermissionType.DENY));
    try (Admin admin = cluster.admin()) {
      admin.createAcls(grants).all().get(30, TimeUnit.SECONDS);
      Map<String, String> overrides = new HashMap<>(cluster.agentProperties());
      overrides.putAll(client.overrides);
      try (PublishingFleet fleet =
          new PublishingFleet(
              "cu-deny-" + client.name().toLowerCase(),
              HOSTS,
              cluster.bootstrapServers(),
              overrides,
              spools,
              List.of(Topics.PROBE, Topics.PROTOCOL))) {
        fleet.awaitCycles(20);
        admin.createAcls(List.of(deny)).all().get(30, TimeUnit.SECONDS);

        // Each collector's health names the topic and the broker's refusal, not an outage.
        KafkaCluster.awaitTrue(
            () -> allPublishers(fleet, p -> p.stats().unavailableTopics().containsKey(PROBE)),
            WAIT,
            "every collector reporting " + PROBE + " unavailable");
        for (int i = 0; i < HOSTS; i++) {
          KafkaPublisher p = fleet.publisher(i);
          assertThat(p.stats().unavailableTopics().get(PROBE))
              .as("%s's health names the topic and the error", fleet.hosts().get(i))
              .contains(PROBE)
              .containsIgnoringCase(
                  client == Client.BUILT_IN ? "TOPIC_AUTHORIZATION_FAILED" : "authorized");
          assertThat(p.brokerUnreachable())
              .as("a denied topic is not an unreachable broker")
              .isFalse();
        }

        // The protocol topic keeps up with the publishing; nothing of the probe topic is written.
        long probeBefore = endOffsets(admin, PROBE);
        long protocolBefore = endOffsets(admin, PROTOCOL);
        long cyclesBefore = fleet.cycles();
        fleet.awaitCycles(150);
        long published = (fleet.cycles() - cyclesBefore) * HOSTS;
        KafkaCluster.awaitTrue(
            () -> endOffsets(admin, PROTOCOL) - protocolBefore >= published,
            Duration.ofSeconds(5),
            published + " protocol samples delivered while " + PROBE + " is denied");
        assertThat(endOffsets(admin, PROBE))
            .as("no probe sample written while denied")
            .isEqualTo(probeBefore);
        for (int i = 0; i < HOSTS; i++) {
          PublisherStats stats = fleet.publisher(i).stats();
          assertThat(stats.spooledRecords())
              .as("%s's denied samples wait in its spool", fleet.hosts().get(i))
              .isGreaterThanOrEqualTo(published / HOSTS);
          assertThat(stats.spoolDroppedRecords()).as("within the spool's bound").isZero();
        }

        // Access returns: the waiting samples flow, once each.
        admin.deleteAcls(List.of(deny.toFilter())).all().get(30, TimeUnit.SECONDS);
        KafkaCluster.awaitTrue(
            () -> allPublishers(fleet, p -> p.stats().unavailableTopics().isEmpty()),
            WAIT,
            "every collector delivering " + PROBE + " again");
        fleet.awaitCycles(20);
        Map<String, Map<String, Long>> all = fleet.stopAndFlushAll(WAIT);
        for (Topic<?> t : List.of(Topics.PROBE, Topics.PROTOCOL)) {
          // In order too: the denied samples go before any newer one of their topic.
          assertEachSampleOnceInOrder(
              all.get(t.name()),
              fleet.readSeqs(t, cluster.bootstrapServers(), cluster.clientProperties()));
        }
      } finally {
        admin
            .deleteAcls(
                Stream.concat(grants.stream(), Stream.of(deny)).map(AclBinding::toFilter).toList())
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void honoursAQuotasThrottleWithoutTimeoutsOrReconnects(Client client) throws Exception {
    cluster.awaitFullIsr(List.of(PROBE), WAIT);
    try (Admin admin = cluster.admin();
        PublishingFleet fleet = fleet("quota-" + client, client)) {
      fleet.awaitCycles(20);
      // Each has its producer id and delivers as it publishes: its connections are all open.
      KafkaCluster.awaitTrue(
          () -> allPublishers(fleet, p -> p.stats().spooledRecords() < 10),
          WAIT,
          "every collector keeping up before the quota");
      long[] connections = new long[HOSTS];
      long[] sendErrors = new long[HOSTS];
      for (int i = 0; i < HOSTS; i++) {
        connections[i] = fleet.publisher(i).stats().connectionsOpened();
        sendErrors[i] = fleet.publisher(i).stats().sendErrors();
      }
      setQuota(admin, fleet.hosts(), QUOTA_BYTES_PER_SECOND);
      try {
        // The backlog grows: the quota is in force. Then measure what gets through.
        KafkaCluster.awaitTrue(
            () -> allPublishers(fleet, p -> p.stats().spooledRecords() >= 100),
            WAIT,
            "every collector's spool backing up under the quota");
        long deliveredBefore = endOffsets(admin, PROBE);
        long cyclesBefore = fleet.cycles();
        boolean[] throttled = new boolean[HOSTS];
        KafkaCluster.awaitTrue(
            () -> {
              for (int i = 0; i < HOSTS; i++) {
                KafkaPublisher p = fleet.publisher(i);
                assertThat(p.brokerUnreachable())
                    .as("%s, throttled, does not call the broker unreachable", fleet.hosts().get(i))
                    .isFalse();
                throttled[i] |= p.throttled();
              }
              return fleet.cycles() >= cyclesBefore + 250;
            },
            Duration.ofSeconds(60),
            "250 cycles under the quota");
        assertThat(throttled).as("each collector noticed the throttle").containsOnly(true);
        long delivered = endOffsets(admin, PROBE) - deliveredBefore;
        long published = (fleet.cycles() - cyclesBefore) * HOSTS;
        System.out.printf(
            "quota %s: %d of %d samples delivered while throttled%n", client, delivered, published);
        assertThat(delivered)
            .as("delivery under the quota is slower than publishing")
            .isLessThan(published / 2);
      } finally {
        setQuota(admin, fleet.hosts(), null);
      }
      check(fleet);
      for (int i = 0; i < HOSTS; i++) {
        PublisherStats stats = fleet.publisher(i).stats();
        assertThat(stats.connectionsOpened())
            .as("%s opened no connection: no request timed out", fleet.hosts().get(i))
            .isEqualTo(connections[i]);
        assertThat(stats.sendErrors()).as("no delivery failed").isEqualTo(sendErrors[i]);
        assertThat(stats.senderFailures()).isZero();
      }
    }
  }

  /**
   * The built-in client's failover over plain TCP (SASL_PLAINTEXT), as agents run it where the
   * cluster asks for no TLS: the scenarios above run over SASL_SSL.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OverTcp {

    private KafkaCluster tcp;

    @BeforeAll
    void startTcpCluster() throws Exception {
      tcp = KafkaCluster.start(PARTITIONS);
      assertThat(tcp.clientProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT");
    }

    @AfterAll
    void stopTcpCluster() {
      if (tcp != null) {
        tcp.close();
      }
    }

    @Test
    void deliversEverySampleOnceWhenALeaderIsKilledMidWindowAndComesBack() throws Exception {
      publishThrough(
          tcp,
          "tcp-kill",
          Client.BUILT_IN,
          fleet -> {
            fleet.awaitCycles(20);
            int leader = firstLeader(tcp, fleet);
            tcp.kill(leader);
            fleet.awaitCycles(50);
            tcp.restart(leader);
            recovered(tcp, fleet);
          });
    }
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
    publishThrough(cluster, name, client, failures);
  }

  private void publishThrough(KafkaCluster on, String name, Client client, Failures failures)
      throws Exception {
    on.awaitFullIsr(List.of(PROBE), WAIT);
    try (PublishingFleet fleet = fleet(on, name, client)) {
      failures.inflict(fleet);

      check(on, fleet);
    }
  }

  /** The leader of the partition the fleet's first collector publishes to. */
  private static int firstLeader(PublishingFleet fleet) throws Exception {
    return firstLeader(cluster, fleet);
  }

  private static int firstLeader(KafkaCluster on, PublishingFleet fleet) throws Exception {
    return on.leaderOf(PROBE, fleet.partitionOf(0, PARTITIONS));
  }

  /** Waits for every replica to be back in sync, then lets the fleet publish 20 more cycles. */
  private static void recovered(PublishingFleet fleet) throws Exception {
    recovered(cluster, fleet);
  }

  private static void recovered(KafkaCluster on, PublishingFleet fleet) throws Exception {
    on.awaitFullIsr(List.of(PROBE), WAIT);
    fleet.awaitCycles(20);
  }

  private PublishingFleet fleet(String name, Client client) throws Exception {
    return fleet(cluster, name, client);
  }

  private PublishingFleet fleet(KafkaCluster on, String name, Client client) throws Exception {
    Map<String, String> overrides = new HashMap<>(on.clientProperties());
    // A stalled broker is given up after 5 s rather than the default 30 s: shorter tests, the
    // same paths through the client.
    overrides.put("request.timeout.ms", "5000");
    overrides.putAll(client.overrides);
    assertThat(KafkaPublisher.javaClientCarries(on.bootstrapServers(), overrides))
        .as("the client under test carries the records")
        .isEqualTo(client == Client.JAVA);
    return new PublishingFleet(
        "cu-" + name.toLowerCase(), HOSTS, on.bootstrapServers(), overrides, spools);
  }

  private static void check(PublishingFleet fleet) throws InterruptedException {
    check(cluster, fleet);
  }

  private static void check(KafkaCluster on, PublishingFleet fleet) throws InterruptedException {
    Map<String, Long> published = fleet.stopAndFlush(WAIT);
    assertEachSampleOnce(published, fleet.readSeqs(on.bootstrapServers(), on.clientProperties()));
  }

  /** What {@link KafkaCluster#AGENT_USER} needs to publish: write and describe culprit's topics. */
  private static List<AclBinding> agentGrants() {
    ResourcePattern topics =
        new ResourcePattern(ResourceType.TOPIC, "culprit.", PatternType.PREFIXED);
    ResourcePattern clusterResource =
        new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
    return List.of(
        new AclBinding(topics, allow(AclOperation.WRITE)),
        new AclBinding(topics, allow(AclOperation.DESCRIBE)),
        new AclBinding(clusterResource, allow(AclOperation.IDEMPOTENT_WRITE)));
  }

  private static AccessControlEntry allow(AclOperation op) {
    return new AccessControlEntry(AGENT, "*", op, AclPermissionType.ALLOW);
  }

  private static boolean allPublishers(PublishingFleet fleet, Predicate<KafkaPublisher> test) {
    for (int i = 0; i < HOSTS; i++) {
      if (!test.test(fleet.publisher(i))) {
        return false;
      }
    }
    return true;
  }

  /** The sum of {@code topic}'s partitions' end offsets. */
  private static long endOffsets(Admin admin, String topic) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
          .sum();
    } catch (Exception e) {
      throw new IllegalStateException("end offsets of " + topic + ": " + e, e);
    }
  }

  /** Sets (or, for null, removes) a {@code producer_byte_rate} quota for each client id. */
  private static void setQuota(Admin admin, List<String> clientIds, Double bytesPerSecond)
      throws Exception {
    List<ClientQuotaAlteration> alterations = new ArrayList<>();
    for (String id : clientIds) {
      alterations.add(
          new ClientQuotaAlteration(
              new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, id)),
              List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))));
    }
    admin.alterClientQuotas(alterations).all().get(30, TimeUnit.SECONDS);
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
