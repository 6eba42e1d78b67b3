package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the broker refused for their timestamp (INVALID_TIMESTAMP), counted, with an ERROR that
 * says what to do: at the first one, then at most every {@link #REPEAT_AFTER} while they go on, so
 * a host whose clock runs ahead (every record refused) does not log once per record.
 *
 * <p>They are dropped, not kept: the broker refuses them for as long as the clocks disagree, a
 * record stamped too far ahead is refused until real time catches up with it and one stamped too
 * far behind for ever; kept, they would fill the spool and push out records the broker takes.
 * Restamping them with the send time would put samples in windows they do not belong to.
 */
final class RefusedTimestamps {

  static final Duration REPEAT_AFTER = Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(RefusedTimestamps.class);

  private final String target;
  private final AtomicLong count = new AtomicLong();
  private long loggedCount;
  private long lastLogNanos;
  private boolean logged;

  RefusedTimestamps(String target) {
    this.target = target;
  }

  /** {@code record} was refused for its timestamp with {@code error}; sender thread only. */
  void refused(SpoolRecord record, Exception error) {
    long total = count.incrementAndGet();
    long now = System.nanoTime();
    if (logged && now - lastLogNanos < REPEAT_AFTER.toNanos()) {
      return;
    }
    long wallMs = System.currentTimeMillis();
    String when =
        record.timestampMs() == SpoolRecord.NO_TIMESTAMP
            ? "stamped at send time"
            : "stamped "
                + Instant.ofEpochMilli(record.timestampMs())
                + ", "
                + (record.timestampMs() - wallMs) / 1000
                + " s from this host's clock now";
    LOG.error(
        "Kafka at {} refuses records for their timestamp (INVALID_TIMESTAMP, {}; a {} record {}){}: check this"
            + " host's clock against the broker's (timedatectl, NTP/chrony) — a broker refuses a"
            + " record stamped more than the topic's message.timestamp.after.max.ms (Kafka 4:"
            + " one hour) ahead of its own clock or more than message.timestamp.before.max.ms"
            + " behind it. Such records are dropped and counted (timestampRefusedRecords in the"
            + " health record); the others are delivered",
        target,
        error.getMessage(),
        record.topic(),
        when,
        logged ? "; " + (total - loggedCount) + " more since the last report" : "");
    logged = true;
    loggedCount = total;
    lastLogNanos = now;
  }

  /** Records refused for their timestamp so far. */
  long count() {
    return count.get();
  }
}
