package dev.culprit.app;

import dev.culprit.processor.packetloss.PacketLossTopology;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.RecordDecodeException;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the result topics from "now" and prints each root cause / incident to stdout: one human
 * line, or one JSON object per line with {@code --json}. Runs on its own thread until closed.
 */
final class EventPrinter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventPrinter.class);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  /** Every window's causes, as before cause lifecycles: {@code --every-window}. */
  static final List<Topic<?>> EVERY_WINDOW_TOPICS =
      List.of(Topics.ROOTCAUSE_PACKET_LOSS, Topics.ROOTCAUSE_OOM, Topics.FLEET_INCIDENTS);

  /**
   * The default view: a line when a cause starts, a reminder while it lasts, a line when it ends.
   * Fleet incidents stay per window (they have no lifecycle of their own).
   */
  static final List<Topic<?>> TRANSITION_TOPICS =
      List.of(Topics.ROOTCAUSE_TRANSITIONS, Topics.FLEET_INCIDENTS);

  private final KafkaConsumer<String, byte[]> consumer;
  private final PrintStream out;
  private final boolean json;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  EventPrinter(KafkaAccess kafka, PrintStream out, boolean json, boolean everyWindow) {
    Properties p = kafka.clientProperties();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // The processor writes in transactions: print only what it committed.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.out = out;
    this.json = json;
    List<TopicPartition> partitions = new ArrayList<>();
    for (Topic<?> t : everyWindow ? EVERY_WINDOW_TOPICS : TRANSITION_TOPICS) {
      consumer
          .partitionsFor(t.name())
          .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    this.thread = new Thread(this::loop, "culprit-event-printer");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          print(r);
        }
        out.flush();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("event printer stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void print(ConsumerRecord<String, byte[]> r) {
    Topic<?> topic = TopicNames.resolve(r.topic());
    Object value;
    try {
      value = topic.valueSerde().deserialize(r.topic(), r.value());
    } catch (RecordDecodeException e) {
      LOG.warn(
          "skipped undecodable result {}-{}@{}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    if (value == null) {
      return;
    }
    if (json) {
      out.println(JsonRenderer.toJson((IndexedRecord) value));
    } else {
      out.println(human(value) + lateNote(r.headers()));
    }
  }

  /**
   * " (judged 5m12s late: …)" for the results of a window judged after its host caught up (see
   * {@link PacketLossTopology#JUDGED_LATE_HEADER}); empty otherwise or when the header is not ours.
   */
  static String lateNote(org.apache.kafka.common.header.Headers headers) {
    org.apache.kafka.common.header.Header h =
        headers.lastHeader(PacketLossTopology.JUDGED_LATE_HEADER);
    if (h == null || h.value() == null || h.value().length > 19) {
      return "";
    }
    long ms;
    try {
      ms = Long.parseLong(new String(h.value(), java.nio.charset.StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return "";
    }
    if (ms <= 0) {
      return "";
    }
    long s = ms / 1000;
    String late =
        s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : (s / 60) + "m" + (s % 60) + "s";
    return "  (judged " + late + " late: the host's samples reached Kafka late)";
  }

  static String human(Object value) {
    if (value instanceof RootCause c) {
      String where = c.getNetns().isEmpty() ? "" : " netns " + c.getNetns();
      return TIME.format(Instant.ofEpochMilli(c.getWindowEndMs()))
          + "  "
          + c.getHost()
          + where
          + "  "
          + c.getCause()
          + " @ "
          + c.getLocation()
          + "  "
          + c.getSummary()
          + "  → fix"
          + scope(c.getFix())
          + ": "
          + c.getRemediation();
    }
    if (value instanceof CauseTransition t) {
      return transition(t);
    }
    if (value instanceof FleetIncident f) {
      return TIME.format(Instant.ofEpochMilli(f.getWindowEndMs()))
          + "  FLEET "
          + f.getCause()
          + " on "
          + f.getHostCount()
          + " hosts  "
          + f.getSummary();
    }
    return String.valueOf(value);
  }

  /** Where a fix runs, when not on the host itself: " in netns web-1". */
  private static String scope(Fix fix) {
    if (fix == null || fix.getArgv().isEmpty()) {
      return "";
    }
    String name = fix.getScope().getName();
    return switch (fix.getScope().getKind()) {
      case NETNS -> " in netns " + name;
      case CONTAINER -> " in container " + name;
      case PROCESS_NETNS -> " in namespace " + name;
      case HOST, UNKNOWN -> "";
    };
  }

  /**
   * STARTED says what and how to fix it; ONGOING how long so far; ENDED how long it lasted and what
   * it cost, so each needs one line.
   */
  static String transition(CauseTransition t) {
    RootCause c = t.getLatest();
    String where = t.getNetns().isEmpty() ? "" : " netns " + t.getNetns();
    String head =
        TIME.format(Instant.ofEpochMilli(t.getDecidedWindowEndMs()))
            + "  "
            + t.getHost()
            + where
            + "  "
            + t.getState()
            + " "
            + t.getCause()
            + " @ "
            + c.getLocation()
            + "  ";
    String lasted =
        duration(t.getDurationMs())
            + " ("
            + t.getWindowsSeen()
            + (t.getWindowsSeen() == 1 ? " window" : " windows")
            + " with it)";
    return switch (t.getState()) {
      case STARTED ->
          head + c.getSummary() + "  → fix" + scope(c.getFix()) + ": " + c.getRemediation();
      case ONGOING ->
          head
              + "for "
              + lasted
              + totals(t)
              + "  → fix"
              + scope(c.getFix())
              + ": "
              + c.getRemediation();
      case ENDED -> head + "lasted " + lasted + totals(t);
      default -> head + c.getSummary();
    };
  }

  private static String totals(CauseTransition t) {
    List<String> parts = new ArrayList<>();
    // The covered time is already in the duration.
    t.getTotals().entrySet().stream()
        .filter(e -> !e.getKey().equals("intervalMs"))
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
    return parts.isEmpty() ? "" : "; totals: " + String.join(", ", parts);
  }

  static String duration(long ms) {
    Duration d = Duration.ofMillis(ms);
    if (d.toHours() > 0) {
      return d.toHours() + "h " + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
