package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops spooled records older than {@code --spool-max-age} instead of sending them: a record older
 * than its topic's retention is deleted by the broker as it arrives, and when that deletes every
 * batch of this producer the broker forgets the producer's state, so its retries are written twice
 * or refused (UNKNOWN_PRODUCER_ID), with either client. The default stays below the contract
 * topics' sample retention (7 days). Records without an event time (schemas) never expire.
 *
 * <p>Counted, with a WARN at the first and then at most every {@link #REPEAT_AFTER}. Without a max
 * age (programmatic publishers, tests that publish recorded samples) nothing expires.
 */
final class SpoolExpiry {

  /** A day below the contract topics' sample retention (TopicSettings: 7 days). */
  static final Duration DEFAULT_MAX_AGE = Duration.ofDays(6);

  static final Duration REPEAT_AFTER = Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(SpoolExpiry.class);

  private final Duration maxAge;
  private final LongSupplier clockMs;
  private final AtomicLong expired = new AtomicLong();
  private long loggedCount;
  private long lastLogNanos;
  private boolean logged;

  /**
   * @param maxAge the age beyond which records are dropped; null: none
   */
  SpoolExpiry(Duration maxAge, LongSupplier clockMs) {
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new IllegalArgumentException("spool max age must be positive: " + maxAge);
    }
    this.maxAge = maxAge;
    this.clockMs = clockMs;
  }

  /** {@code records} without those older than the max age (counted); the same list if none is. */
  List<SpoolRecord> fresh(List<SpoolRecord> records) {
    if (maxAge == null) {
      return records;
    }
    long oldestAllowed = clockMs.getAsLong() - maxAge.toMillis();
    List<SpoolRecord> fresh = null;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < records.size(); i++) {
      SpoolRecord r = records.get(i);
      boolean old = r.timestampMs() != SpoolRecord.NO_TIMESTAMP && r.timestampMs() < oldestAllowed;
      if (old && fresh == null) {
        fresh = new ArrayList<>(records.subList(0, i));
      }
      if (old) {
        oldest = Math.min(oldest, r.timestampMs());
      } else if (fresh != null) {
        fresh.add(r);
      }
    }
    if (fresh == null) {
      return records;
    }
    report(records.size() - fresh.size(), oldest);
    return fresh;
  }

  /** Records dropped for their age so far. */
  long count() {
    return expired.get();
  }

  private void report(long dropped, long oldestMs) {
    long total = expired.addAndGet(dropped);
    long now = System.nanoTime();
    if (logged && now - lastLogNanos < REPEAT_AFTER.toNanos()) {
      return;
    }
    LOG.warn(
        "dropped {} spooled records older than --spool-max-age {} (the oldest stamped {}): the"
            + " topics' retention would delete them as they arrive and make the broker forget"
            + " this producer's state; counted as spoolExpiredRecords in the health record",
        total - loggedCount,
        maxAge,
        Instant.ofEpochMilli(oldestMs));
    logged = true;
    loggedCount = total;
    lastLogNanos = now;
  }
}
