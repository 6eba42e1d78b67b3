package dev.culprit.collector.publish;

import static dev.culprit.collector.publish.spool.SpoolTestRecords.names;
import static dev.culprit.collector.publish.spool.SpoolTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sender thread that meets an unexpected exception must go on, not leave records behind. */
class SpoolSenderFailureTest {

  @TempDir Path dir;

  @Test
  void aRefusedLoginIsTriedAgainAfterAPauseThatDoublesToAMinute() {
    // A fleet with a wrong secret or certificate must not log in to every broker every second.
    assertThat(
            java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToObj(n -> SpoolSender.refusalPause(n).toSeconds())
                .toList())
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    assertThat(SpoolSender.refusalPause(1_000_000)).isEqualTo(SpoolSender.FAILURE_BACKOFF_MAX);
  }

  @Test
  void theSenderSurvivesATransportThatThrowsAndDeliversEveryRecordInOrderAfterwards()
      throws Exception {
    AtomicInteger throwsLeft = new AtomicInteger(2);
    withSender(
        delivered ->
            new RecordingTransport(delivered) {
              @Override
              public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
                if (throwsLeft.getAndDecrement() > 0) {
                  throw new IllegalStateException("a bug in the transport");
                }
                super.send(records, attempt);
              }
            },
        (spool, sender, delivered) -> {
          append(spool, sender, 0, 30);

          assertThat(poll(sender::failing)).as("health says the sender is failing").isTrue();
          append(spool, sender, 30, 60);

          assertThat(sender.awaitDelivered(Duration.ofSeconds(30))).isTrue();
          assertThat(delivered)
              .as("nothing skipped, nothing twice, in order")
              .containsExactlyElementsOf(names(0, 60));
          assertThat(sender.failures()).isEqualTo(2);
          assertThat(sender.failing()).as("no longer failing once a window got through").isFalse();
        });
  }

  @Test
  void theSenderSurvivesAnAcknowledgementCallbackThatThrows() throws Exception {
    AtomicInteger throwsLeft = new AtomicInteger(1);
    withSender(
        delivered ->
            new RecordingTransport(delivered) {
              @Override
              public void tick() {
                if (throwsLeft.getAndDecrement() > 0) {
                  throw new IllegalStateException("tick failed");
                }
              }

              @Override
              public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
                // Acknowledges only on the second try: the first one waits for a tick.
                if (throwsLeft.get() > 0) {
                  return;
                }
                super.send(records, attempt);
              }
            },
        (spool, sender, delivered) -> {
          append(spool, sender, 0, 10);

          assertThat(sender.awaitDelivered(Duration.ofSeconds(30))).isTrue();
          assertThat(delivered).containsExactlyElementsOf(names(0, 10));
          assertThat(sender.failures()).isEqualTo(1);
        });
  }

  /**
   * A topic the broker refuses is held beside the main spool; then no producer can be made at all
   * (a broker name that stopped resolving) while samples keep coming: the held records must still
   * give way, so that the main spool and the held topics together stay within the one bound.
   */
  @Test
  void heldRecordsGiveWayToTheMainSpoolWhileNoProducerCanBeMade() throws Exception {
    long bound = 256L << 10;
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (Spool spool = Spool.open(dir, bound)) {
      SpoolSender sender =
          new SpoolSender(
              spool,
              () -> {
                if (broken.get()) {
                  throw new IllegalStateException("no such broker: culprit-gone.invalid");
                }
                return new Transport() {
                  @Override
                  public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
                    if (broken.get()) {
                      throw new IllegalStateException("the connection went away");
                    }
                    for (int i = 0; i < records.size(); i++) {
                      attempt.failed(
                          i, new TopicUnavailableException("UNKNOWN_TOPIC_OR_PARTITION"), false);
                    }
                  }

                  @Override
                  public void close() {}
                };
              },
              "refusing");
      try {
        spool.append(dev.culprit.collector.publish.spool.SpoolTestRecords.padded(0, 60, 2000));
        sender.recordsAppended();
        assertThat(poll(() -> sender.heldStats().pendingRecords() == 60))
            .as("the refused topic's records held")
            .isTrue();
        broken.set(true);
        // Another topic's samples: they need a producer, so they stay in the main spool.
        List<SpoolRecord> protocol = new ArrayList<>();
        for (int i = 60; i < 160; i++) {
          protocol.add(
              SpoolRecord.of(
                  "culprit.samples.protocol", 1_700_000_000_000L + i, "host-a", new byte[2000]));
        }
        spool.append(protocol);
        sender.recordsAppended();

        assertThat(
                poll(
                    () ->
                        spool.stats().diskBytes() + sender.heldStats().diskBytes()
                            <= bound + 2 * (16L << 10)))
            .as(
                "main spool %d + held %d bytes within the bound of %d",
                spool.stats().diskBytes(), sender.heldStats().diskBytes(), bound)
            .isTrue();
        assertThat(sender.heldStats().droppedRecords()).as("the oldest held records").isPositive();
      } finally {
        sender.stop(Duration.ofSeconds(1));
      }
    }
  }

  /** What a test does with a sender over a fresh 1 MiB spool and what its transport delivered. */
  private interface SenderScenario {
    void run(Spool spool, SpoolSender sender, List<String> delivered) throws Exception;
  }

  /**
   * Runs {@code scenario} with a sender whose every transport is made by {@code transports} around
   * one list of delivered values; stops the sender after it.
   */
  private void withSender(Function<List<String>, Transport> transports, SenderScenario scenario)
      throws Exception {
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      SpoolSender sender = new SpoolSender(spool, () -> transports.apply(delivered), "recording");
      try {
        scenario.run(spool, sender, delivered);
      } finally {
        sender.stop(Duration.ofSeconds(1));
      }
    }
  }

  private static void append(Spool spool, SpoolSender sender, int from, int to) throws IOException {
    spool.append(records(from, to));
    sender.recordsAppended();
  }

  /** Acknowledges every record at once and remembers its value. */
  static class RecordingTransport implements Transport {
    private final List<String> delivered;

    RecordingTransport(List<String> delivered) {
      this.delivered = delivered;
    }

    @Override
    public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
      for (int i = 0; i < records.size(); i++) {
        delivered.add(new String(records.get(i).value(), StandardCharsets.UTF_8));
        attempt.acknowledged(i);
      }
    }

    @Override
    public void close() {}
  }

  private static boolean poll(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(5);
    }
    return condition.getAsBoolean();
  }
}
