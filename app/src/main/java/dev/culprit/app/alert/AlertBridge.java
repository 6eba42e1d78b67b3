package dev.culprit.app.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.RecordDecodeException;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert bridge: a consumer group on the cause transitions and fleet incidents that delivers
 * each batch to every Alertmanager (API v2) and every webhook, and commits the batch's offsets only
 * once all of them answered 2xx. A receiver that is down is retried with backoff for as long as it
 * takes, so nothing is dropped; after a crash the uncommitted batch is delivered again (at least
 * once: Alertmanager merges an alert it already has, webhooks can de-duplicate by transitionId).
 *
 * <p>Alertmanager forgets a firing alert after its resolve_timeout unless it is sent again, so the
 * bridge re-sends the alerts it knows to be firing every {@code resendEvery}; the processor's
 * ONGOING reminders re-establish them too, also after the bridge restarts with an empty memory.
 */
public final class AlertBridge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertBridge.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

  /**
   * @param bootstrapServers the Kafka cluster
   * @param kafkaProperties further client properties (the login, TLS), applied first
   * @param groupId the consumer group: bridges with the same id share the partitions
   * @param alertmanagers Alertmanager base URLs (an HA pair: each gets every alert)
   * @param webhooks URLs that get each transition and fleet incident as JSON
   * @param resendEvery how often firing alerts are sent again (below Alertmanager's
   *     resolve_timeout, 5m by default)
   * @param maxBackoff the longest wait between two attempts at a receiver that is down
   */
  public record Settings(
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String groupId,
      List<String> alertmanagers,
      List<String> webhooks,
      Duration resendEvery,
      Duration maxBackoff) {

    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      kafkaProperties = Map.copyOf(kafkaProperties);
      Objects.requireNonNull(groupId, "groupId");
      alertmanagers = List.copyOf(alertmanagers);
      webhooks = List.copyOf(webhooks);
      if (alertmanagers.isEmpty() && webhooks.isEmpty()) {
        throw new IllegalArgumentException("no receiver: give an Alertmanager or a webhook URL");
      }
    }
  }

  private final Settings settings;
  private final List<HttpTarget> targets = new ArrayList<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Object backoff = new Object();
  // Firing alerts by label set (their identity in Alertmanager), for the periodic re-send.
  private final Map<String, ObjectNode> firing = new LinkedHashMap<>();
  private volatile long delivered;
  private volatile long failedAttempts;
  private volatile int firingCount;
  private volatile int pendingRecords;

  public AlertBridge(Settings settings) {
    this(settings, Clock.systemUTC());
  }

  AlertBridge(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    settings.alertmanagers().forEach(u -> targets.add(HttpTarget.alertmanager(u, http)));
    settings.webhooks().forEach(u -> targets.add(HttpTarget.webhook(u, http)));
    Properties p = new Properties();
    p.putAll(settings.kafkaProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    // Offsets move only after every receiver accepted the batch.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group starts at the oldest retained transition: alerts before the bridge's first
    // start are delivered too (ended ones arrive resolved).
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The processor writes in transactions: never alert on an aborted one.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // The loop blocks while a receiver is down, on purpose: handing the partitions to another
    // member (which could not deliver either) would only move the backlog; heartbeats go on.
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Consumes and delivers until {@link #close()}; call on a thread of its own. */
  public void run() {
    consumer.subscribe(List.of(Topics.ROOTCAUSE_TRANSITIONS.name(), Topics.FLEET_INCIDENTS.name()));
    Instant nextResend = clock.instant().plus(settings.resendEvery());
    try {
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          pendingRecords = records.count();
          if (!deliver(records)) {
            return; // closing: the batch stays uncommitted and is delivered after a restart
          }
          consumer.commitSync();
        }
        if (!clock.instant().isBefore(nextResend)) {
          resend();
          nextResend = clock.instant().plus(settings.resendEvery());
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The bridge's metrics in Prometheus' text format: records delivered, failed attempts, records of
   * the batch being delivered (waiting for a receiver), firing alerts re-sent periodically.
   */
  public String metricsText() {
    return "# HELP culprit_alert_delivered_records_total Transitions and fleet incidents"
        + " delivered to every receiver.\n"
        + "# TYPE culprit_alert_delivered_records_total counter\n"
        + "culprit_alert_delivered_records_total "
        + delivered
        + "\n# HELP culprit_alert_failed_attempts_total Deliveries a receiver did not accept"
        + " (each retried until it does).\n"
        + "# TYPE culprit_alert_failed_attempts_total counter\n"
        + "culprit_alert_failed_attempts_total "
        + failedAttempts
        + "\n# HELP culprit_alert_pending_records Records of the batch being delivered.\n"
        + "# TYPE culprit_alert_pending_records gauge\n"
        + "culprit_alert_pending_records "
        + pendingRecords
        + "\n# HELP culprit_alert_firing Alerts firing, re-sent every --resend-every.\n"
        + "# TYPE culprit_alert_firing gauge\n"
        + "culprit_alert_firing "
        + firingCount
        + "\n";
  }

  /** Records delivered to every receiver so far. */
  public long delivered() {
    return delivered;
  }

  /** Attempts a receiver did not accept so far (each retried until it does). */
  public long failedAttempts() {
    return failedAttempts;
  }

  @Override
  public void close() {
    running.set(false);
    synchronized (backoff) {
      backoff.notifyAll();
    }
    consumer.wakeup();
  }

  private boolean deliver(ConsumerRecords<String, byte[]> records) {
    List<IndexedRecord> values = new ArrayList<>();
    List<String> topics = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      IndexedRecord value = decode(r);
      if (value != null) {
        values.add(value);
        topics.add(r.topic());
      }
    }
    // One alert per label set and batch, the latest: a STARTED and its ENDED in one batch resolve.
    Map<String, ObjectNode> alerts = new LinkedHashMap<>();
    for (IndexedRecord value : values) {
      ObjectNode alert = alert(value);
      String identity = alert.get("labels").toString();
      if (isFleet(alert)) {
        ObjectNode previous =
            alerts.containsKey(identity) ? alerts.get(identity) : firing.get(identity);
        if (!Alerts.supersedes(alert, previous)) {
          continue; // an older fleet window counted again: the webhooks still get the record
        }
      }
      alerts.remove(identity);
      alerts.put(identity, alert);
    }
    for (HttpTarget target : targets) {
      if (target.alertmanager()) {
        if (!alerts.isEmpty() && !postUntilAccepted(target, array(alerts.values()), null)) {
          return false;
        }
      } else {
        for (int i = 0; i < values.size(); i++) {
          if (!postUntilAccepted(target, JsonRenderer.toJson(values.get(i)), topics.get(i))) {
            return false;
          }
        }
      }
    }
    alerts.forEach(
        (identity, alert) -> {
          if (alert.has("endsAt") && !isFleet(alert)) {
            firing.remove(identity);
          } else {
            firing.put(identity, alert);
          }
        });
    firingCount = firing.size();
    pendingRecords = 0;
    delivered += values.size();
    LOG.info(
        "delivered {} records ({} alerts) to {} receivers",
        values.size(),
        alerts.size(),
        targets.size());
    return true;
  }

  private static ObjectNode alert(IndexedRecord value) {
    return value instanceof CauseTransition t ? Alerts.of(t) : Alerts.of((FleetIncident) value);
  }

  private static boolean isFleet(ObjectNode alert) {
    return alert.get("labels").has("scope");
  }

  /** Once per interval, every firing alert to every Alertmanager; a failure waits for the next. */
  private void resend() {
    Instant now = clock.instant();
    firing
        .values()
        .removeIf(a -> a.has("endsAt") && Instant.parse(a.get("endsAt").asText()).isBefore(now));
    if (firing.isEmpty()) {
      return;
    }
    String body = array(firing.values());
    for (HttpTarget target : targets) {
      if (target.alertmanager()) {
        try {
          target.post(body, null);
        } catch (IOException e) {
          LOG.warn(
              "re-send of {} firing alerts to {} failed: {}",
              firing.size(),
              target.name(),
              e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private boolean postUntilAccepted(HttpTarget target, String body, String topic) {
    Duration wait = FIRST_BACKOFF;
    int failures = 0;
    while (running.get()) {
      try {
        target.post(body, topic);
        if (failures > 0) {
          LOG.info("{} accepts again after {} failed attempts", target.name(), failures);
        }
        return true;
      } catch (IOException e) {
        failures++;
        failedAttempts++;
        // Every attempt while it is short, then one line a minute or so: a long outage is one
        // story, not thousands of lines.
        if (failures <= 3 || failures % 10 == 0) {
          LOG.warn(
              "{} did not accept (attempt {}), retrying in {}: {}",
              target.name(),
              failures,
              wait,
              e.getMessage());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      synchronized (backoff) {
        try {
          if (running.get()) {
            backoff.wait(wait.toMillis());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      wait =
          wait.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
              ? settings.maxBackoff()
              : wait.multipliedBy(2);
    }
    return false;
  }

  private static IndexedRecord decode(ConsumerRecord<String, byte[]> r) {
    Topic<?> topic = Topics.byName(r.topic()).orElseThrow();
    try {
      return (IndexedRecord) topic.valueSerde().deserialize(r.topic(), r.value());
    } catch (RecordDecodeException e) {
      // A record no receiver could use: skipped (and committed), never a stuck bridge.
      LOG.warn(
          "skipped undecodable {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return null;
    }
  }

  private static String array(Iterable<ObjectNode> alerts) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    alerts.forEach(a -> array.add(a));
    return array.toString();
  }
}
