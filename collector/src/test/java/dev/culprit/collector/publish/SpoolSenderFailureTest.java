package dev.culprit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sender thread that meets an unexpected exception must go on, not leave records behind. */
class SpoolSenderFailureTest {

  @TempDir Path dir;

  @Test
  void theSenderSurvivesATransportThatThrowsAndDeliversEveryRecordInOrderAfterwards()
      throws Exception {
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger throwsLeft = new AtomicInteger(2);
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      SpoolSender sender =
          new SpoolSender(
              spool,
              () ->
                  new RecordingTransport(delivered) {
                    @Override
                    public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
                      if (throwsLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("a bug in the transport");
                      }
                      super.send(records, attempt);
                    }
                  },
              "recording");
      try {
        spool.append(records(0, 30));
        sender.recordsAppended();

        assertThat(poll(sender::failing)).as("health says the sender is failing").isTrue();
        spool.append(records(30, 60));
        sender.recordsAppended();

        assertThat(sender.awaitDelivered(Duration.ofSeconds(30))).isTrue();
        assertThat(delivered)
            .as("nothing skipped, nothing twice, in order")
            .containsExactlyElementsOf(IntStream.range(0, 60).mapToObj(i -> "v" + i).toList());
        assertThat(sender.failures()).isEqualTo(2);
        assertThat(sender.failing()).as("no longer failing once a window got through").isFalse();
      } finally {
        sender.stop(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void theSenderSurvivesAnAcknowledgementCallbackThatThrows() throws Exception {
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger throwsLeft = new AtomicInteger(1);
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      SpoolSender sender =
          new SpoolSender(
              spool,
              () ->
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
              "recording");
      try {
        spool.append(records(0, 10));
        sender.recordsAppended();

        assertThat(sender.awaitDelivered(Duration.ofSeconds(30))).isTrue();
        assertThat(delivered)
            .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "v" + i).toList());
        assertThat(sender.failures()).isEqualTo(1);
      } finally {
        sender.stop(Duration.ofSeconds(1));
      }
    }
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

  private static List<SpoolRecord> records(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(
            i ->
                SpoolRecord.of(
                    "culprit.samples.interface",
                    1_700_000_000_000L + i,
                    "host-a",
                    ("v" + i).getBytes(StandardCharsets.UTF_8)))
        .toList();
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
