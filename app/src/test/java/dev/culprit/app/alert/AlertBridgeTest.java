package dev.culprit.app.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge between a real embedded broker and two real Alertmanagers (an HA pair) that page a
 * webhook: alerts fire, resolve, survive an Alertmanager outage, and a fleet incident is one alert.
 */
class AlertBridgeTest {

  private static final long WINDOW_MS = 10_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  static EmbeddedBroker broker;
  static KafkaProducer<String, byte[]> producer;
  static Pager pager;
  static RealAlertmanager am1;
  static RealAlertmanager am2;

  private final List<AlertBridge> bridges = new ArrayList<>();
  private final List<Thread> loops = new ArrayList<>();

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    broker = EmbeddedBroker.startTemporary();
    producer = OrderedProducer.create(broker.bootstrapServers());
    pager = new Pager();
    if (Files.isExecutable(RealAlertmanager.BINARY)) {
      am1 = RealAlertmanager.paging(Files.createDirectory(dir.resolve("am1")), pager.url());
      am2 = RealAlertmanager.paging(Files.createDirectory(dir.resolve("am2")), pager.url());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (am1 != null) {
        am1.close();
      }
      if (am2 != null) {
        am2.close();
      }
    } finally {
      pager.close();
      producer.close();
      broker.close();
    }
  }

  @AfterEach
  void closeBridges() throws InterruptedException {
    bridges.forEach(AlertBridge::close);
    for (Thread t : loops) {
      t.join(10_000);
    }
  }

  @Test
  void aStartedCauseFiresInBothAlertmanagersAndItsEndResolvesIt() throws Exception {
    assumeAlertmanager();
    String host = "fire-" + UUID.randomUUID();
    bridge(List.of(am1.url(), am2.url()), List.of());
    long first = windowAgo(6);

    send(transition(CauseState.STARTED, host, first, 1));

    for (RealAlertmanager am : List.of(am1, am2)) {
      JsonNode alert = await(() -> alertOf(am, host), "the alert in " + am.url());
      assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("FIREWALL_DROP");
      assertThat(alert.get("labels").get("netns").asText()).isEqualTo("culprit-web");
      assertThat(alert.get("labels").get("severity").asText()).isEqualTo("critical");
      assertThat(alert.get("labels").get("signature").asText()).isEqualTo(signature());
      assertThat(alert.get("annotations").get("summary").asText())
          .isEqualTo("iptables filter INPUT rule 1 drops 30 % of packets at random");
      assertThat(alert.get("annotations").get("remediation").asText())
          .isEqualTo("iptables -t filter -D INPUT 1");
      assertThat(alert.get("annotations").get("evidence").asText()).contains("droppedPackets=30");
      assertThat(Instant.parse(alert.get("startsAt").asText()))
          .isEqualTo(Instant.ofEpochMilli(first));
    }
    JsonNode firing = await(() -> notification(host, "firing"), "the pager's firing page");
    assertThat(firing.get("alerts").get(0).get("annotations").get("remediation").asText())
        .isEqualTo("iptables -t filter -D INPUT 1");

    send(transition(CauseState.ENDED, host, first, 3));

    for (RealAlertmanager am : List.of(am1, am2)) {
      await(() -> alertOf(am, host) == null ? true : null, "the alert resolved in " + am.url());
    }
    await(() -> notification(host, "resolved"), "the pager's resolved page");
  }

  @Test
  void anAlertmanagerThatIsDownGetsTheAlertOnceItIsBackAndOffsetsWaitForIt() throws Exception {
    assumeAlertmanager();
    String host = "outage-" + UUID.randomUUID();
    am1.stop();
    String group;
    AlertBridge bridge;
    try {
      group = "culprit-alert-test-" + UUID.randomUUID();
      bridge = bridge(group, List.of(am1.url()), List.of());
      send(transition(CauseState.STARTED, host, windowAgo(2), 1));
      long endOffset = endOffsetOfTransitions();

      // Backoff 0.5, 1, 2, 2, … s: six failed attempts are about ten seconds of outage.
      await(() -> bridge.failedAttempts() >= 6 ? true : null, "six failed attempts");
      assertThat(committed(group)).as("nothing committed while undelivered").isLessThan(endOffset);
      String during = bridge.metricsText();
      assertThat(during).contains("culprit_alert_pending_records 1\n");
      assertThat(value(during, "culprit_alert_failed_attempts_total")).isGreaterThanOrEqualTo(6);
      assertAcceptedByPromtool(during);
    } finally {
      am1.start();
    }
    await(() -> alertOf(am1, host), "the alert after the restart");
    long endOffset = endOffsetOfTransitions();
    await(() -> committed(group) == endOffset ? true : null, "the offsets committed");
    String after = bridge.metricsText();
    assertThat(after).contains("culprit_alert_pending_records 0\n");
    assertThat(value(after, "culprit_alert_delivered_records_total")).isGreaterThanOrEqualTo(1);
    assertThat(value(after, "culprit_alert_firing")).isGreaterThanOrEqualTo(1);
  }

  private static double value(String text, String series) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(series).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** Prometheus' own checker, when installed (Debian package prometheus). */
  private static void assertAcceptedByPromtool(String text) throws Exception {
    java.nio.file.Path promtool = java.nio.file.Path.of("/usr/bin/promtool");
    if (!java.nio.file.Files.isExecutable(promtool)) {
      return; // the other assertions still hold; CI installs it
    }
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool:\n" + out).isZero();
  }

  @Test
  void aFleetIncidentOnThreeHostsIsOneAlert() throws Exception {
    assumeAlertmanager();
    String signature = "FIREWALL_DROP filter INPUT fleet-" + UUID.randomUUID();
    bridge(List.of(am1.url()), List.of());
    long start = windowAgo(1);

    send(fleet(signature, start - WINDOW_MS));
    send(fleet(signature, start));

    await(
        () -> alertsWith(am1, "signature", signature).size() == 1 ? true : null, "the fleet alert");
    List<JsonNode> alerts = alertsWith(am1, "signature", signature);
    assertThat(alerts).hasSize(1);
    JsonNode alert = alerts.get(0);
    assertThat(alert.get("labels").has("host")).isFalse();
    assertThat(alert.get("labels").get("scope").asText()).isEqualTo("fleet");
    assertThat(alert.get("annotations").get("host_count").asText()).isEqualTo("3");
    assertThat(alert.get("annotations").get("hosts").asText()).isEqualTo("web-a, web-b, web-c");
  }

  @Test
  void aWebhookGetsEachTransitionOnceItAcceptsAndNothingIsCommittedBefore() throws Exception {
    String host = "hook-" + UUID.randomUUID();
    try (Pager hook = new Pager()) {
      hook.refuse(true);
      String group = "culprit-alert-test-" + UUID.randomUUID();
      AlertBridge bridge = bridge(group, List.of(), List.of(hook.url()));
      CauseTransition started = transition(CauseState.STARTED, host, windowAgo(2), 1);
      send(started);
      long endOffset = endOffsetOfTransitions();

      await(() -> bridge.failedAttempts() >= 2 ? true : null, "refused attempts");
      assertThat(committed(group)).isLessThan(endOffset);
      hook.refuse(false);

      JsonNode got =
          await(
              () ->
                  hook.received().stream()
                      .filter(n -> n.path("host").asText().equals(host))
                      .findFirst()
                      .orElse(null),
              "the transition at the webhook");
      assertThat(got.get("transitionId").asText()).isEqualTo(started.getTransitionId());
      assertThat(got.get("state").asText()).isEqualTo("STARTED");
      await(() -> committed(group) >= endOffset ? true : null, "the offsets committed");
    }
  }

  // --- helpers

  private static void assumeAlertmanager() {
    assumeTrue(
        am1 != null,
        RealAlertmanager.BINARY + " is not installed (apt-get install prometheus-alertmanager)");
  }

  private AlertBridge bridge(List<String> alertmanagers, List<String> webhooks) {
    return bridge("culprit-alert-test-" + UUID.randomUUID(), alertmanagers, webhooks);
  }

  private AlertBridge bridge(String group, List<String> alertmanagers, List<String> webhooks) {
    AlertBridge bridge =
        new AlertBridge(
            new AlertBridge.Settings(
                broker.bootstrapServers(),
                Map.of(),
                group,
                alertmanagers,
                webhooks,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2)));
    Thread loop = new Thread(bridge::run, "test-alert-bridge");
    loop.start();
    bridges.add(bridge);
    loops.add(loop);
    return bridge;
  }

  private static JsonNode alertOf(RealAlertmanager am, String host) throws Exception {
    List<JsonNode> alerts = alertsWith(am, "host", host);
    return alerts.isEmpty() ? null : alerts.get(0);
  }

  private static List<JsonNode> alertsWith(RealAlertmanager am, String label, String value)
      throws Exception {
    return StreamSupport.stream(am.alerts().spliterator(), false)
        .filter(a -> a.path("labels").path(label).asText().equals(value))
        .toList();
  }

  private static JsonNode notification(String host, String status) {
    return pager.received().stream()
        .filter(n -> n.path("status").asText().equals(status))
        .filter(
            n ->
                StreamSupport.stream(n.path("alerts").spliterator(), false)
                    .anyMatch(a -> a.path("labels").path("host").asText().equals(host)))
        .findFirst()
        .orElse(null);
  }

  private static <T> T await(Callable<T> probe, String what) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      T value = probe.call();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(200); // poll interval
    }
  }

  private static long committed(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(Topics.ROOTCAUSE_TRANSITIONS.name()))
          .filter(e -> e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  private static long endOffsetOfTransitions() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      var partitions =
          admin
              .describeTopics(List.of(Topics.ROOTCAUSE_TRANSITIONS.name()))
              .allTopicNames()
              .get()
              .get(Topics.ROOTCAUSE_TRANSITIONS.name())
              .partitions();
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs =
          new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
      partitions.forEach(
          p ->
              specs.put(
                  new TopicPartition(Topics.ROOTCAUSE_TRANSITIONS.name(), p.partition()),
                  org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return admin.listOffsets(specs).all().get().values().stream()
          .mapToLong(o -> o.offset())
          .sum();
    }
  }

  private static void send(CauseTransition t) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                Topics.ROOTCAUSE_TRANSITIONS.name(),
                t.getHost(),
                Topics.ROOTCAUSE_TRANSITIONS.valueSerde().encode(t)))
        .get();
  }

  private static void send(FleetIncident f) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                Topics.FLEET_INCIDENTS.name(),
                f.getSignature(),
                Topics.FLEET_INCIDENTS.valueSerde().encode(f)))
        .get();
  }

  private static long windowAgo(int windows) {
    long now = System.currentTimeMillis();
    return (now / WINDOW_MS - windows) * WINDOW_MS;
  }

  private static String signature() {
    return "FIREWALL_DROP filter INPUT -m statistic --mode random --probability 0.30 -j DROP";
  }

  private static CauseTransition transition(
      CauseState state, String host, long firstWindowStartMs, int windows) {
    long lastEnd = firstWindowStartMs + windows * WINDOW_MS;
    RootCause latest =
        RootCause.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setHost(host)
            .setNetns("culprit-web")
            .setWindowStartMs(lastEnd - WINDOW_MS)
            .setWindowEndMs(lastEnd)
            .setCause(Cause.FIREWALL_DROP)
            .setLayer(Layer.FIREWALL)
            .setLocation("filter INPUT rule 1")
            .setContainer(null)
            .setConfidence(1.0)
            .setEvidence(new TreeMap<>(Map.of("droppedPackets", 30L, "table", "filter")))
            .setSymptoms(Map.of())
            .setSummary("iptables filter INPUT rule 1 drops 30 % of packets at random")
            .setRemediation("iptables -t filter -D INPUT 1")
            .build();
    return CauseTransition.newBuilder()
        .setTransitionId(UUID.randomUUID().toString())
        .setEpisodeId(host + "-" + firstWindowStartMs)
        .setState(state)
        .setSignature(signature())
        .setHost(host)
        .setNetns("culprit-web")
        .setContainer(null)
        .setCause(Cause.FIREWALL_DROP)
        .setFirstWindowStartMs(firstWindowStartMs)
        .setLastWindowEndMs(lastEnd)
        .setDecidedWindowEndMs(lastEnd + 3 * WINDOW_MS)
        .setWindowsSeen(windows)
        .setDurationMs(lastEnd - firstWindowStartMs)
        .setTotals(Map.of("droppedPackets", 30L * windows))
        .setLatest(latest)
        .build();
  }

  private static FleetIncident fleet(String signature, long windowStartMs) {
    return FleetIncident.newBuilder()
        .setSignature(signature)
        .setCause(Cause.FIREWALL_DROP)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowStartMs + WINDOW_MS)
        .setHostCount(3)
        .setHosts(List.of("web-a", "web-b", "web-c"))
        .setSummary(signature + " on 3 hosts in the same window (web-a, web-b, web-c).")
        .build();
  }
}
