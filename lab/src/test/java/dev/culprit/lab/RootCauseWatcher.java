package dev.culprit.lab;

import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads {@code culprit.rootcause.packet-loss} from the beginning in a background thread and keeps
 * every event with the instant it became readable here, for assertions ("this cause arrives within
 * 30 s", "no client namespace ever has an event") and for detection latency.
 */
public final class RootCauseWatcher implements AutoCloseable {

  /** An event and when this watcher read it. */
  public record Seen(RootCause event, Instant readAt) {}

  private final KafkaConsumer<String, RootCause> consumer;
  private final List<Seen> seen = new ArrayList<>();
  private final Thread poller;
  private volatile boolean running = true;

  public RootCauseWatcher(String bootstrapServers) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "culprit-lab-e2e-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                // Read committed: the processor writes with exactly-once, aborted output is noise.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            Topics.ROOTCAUSE_PACKET_LOSS.keySerde().deserializer(),
            Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().deserializer());
    consumer.subscribe(List.of(Topics.ROOTCAUSE_PACKET_LOSS.name()));
    poller = new Thread(this::poll, "culprit-lab-e2e-watcher");
    poller.setDaemon(true);
    poller.start();
  }

  /**
   * The first event {@code which} accepts, read at or after {@code since}, waiting up to {@code
   * timeout}.
   */
  public Optional<Seen> await(Predicate<RootCause> which, Instant since, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (seen) {
      while (true) {
        Optional<Seen> hit =
            seen.stream()
                .filter(s -> !s.readAt().isBefore(since) && which.test(s.event()))
                .findFirst();
        long leftMs = Duration.between(Instant.now(), deadline).toMillis();
        if (hit.isPresent() || leftMs <= 0) {
          return hit;
        }
        try {
          seen.wait(leftMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  /** Every event read so far. */
  public List<Seen> all() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<String, RootCause> record : consumer.poll(Duration.ofMillis(200))) {
          synchronized (seen) {
            seen.add(new Seen(record.value(), Instant.now()));
            seen.notifyAll();
          }
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    poller.join(10_000);
  }
}
