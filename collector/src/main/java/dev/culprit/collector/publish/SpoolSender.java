package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolBatch;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.spool.SpoolStats;
import dev.culprit.schemas.SchemaTopic;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that drains the spool into Kafka for {@link KafkaPublisher}: reads a window of up to
 * {@value #WINDOW_RECORDS} records, sends it, waits until the broker acknowledged or refused every
 * record, and only then acknowledges the window in the spool and reads the next. Failed records are
 * sent again, in order, by a fresh transport (a new producer id) after a short pause; records the
 * broker can never take are logged and counted. The producer lives on this thread only.
 *
 * <p>Records whose topic does not exist or may not be written ({@link TopicUnavailableException})
 * do not hold back the others: they move, in order, to that topic's own spool ({@link HeldTopics}),
 * and so do its newer records read from the main spool while any wait there. The held records are
 * tried again after a pause that doubles up to {@link #TOPIC_RETRY_MAX}, a window at a time, before
 * any newer record of the topic: each topic reaches the broker in spool order.
 *
 * <p>The thread never ends before {@link #stop}: an unexpected exception (a bug, a transport that
 * throws) is logged and counted ({@link #failures()}, reported in the health record), the producer
 * is replaced, and after a pause that doubles up to {@link #FAILURE_BACKOFF_MAX} the same window is
 * tried again, so nothing is skipped and records never pile up unnoticed behind a dead thread.
 */
final class SpoolSender {

  static final int WINDOW_RECORDS = 500;
  static final long WINDOW_BYTES = 1L << 20;
  static final Duration NOTICE_AFTER = Duration.ofSeconds(3);
  private static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);
  private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
  static final Duration TOPIC_RETRY_MAX = Duration.ofSeconds(60);
  static final Duration FAILURE_BACKOFF_MAX = Duration.ofSeconds(60);

  /** While delivery stays stopped, a changed reason is logged at most this often. */
  private static final Duration REASON_LOG_INTERVAL = Duration.ofSeconds(60);

  /** Times in a row a window goes again at once after its batch was refused for other records. */
  private static final int MAX_QUICK_RETRIES = 3;

  private static final Logger LOG = LoggerFactory.getLogger(SpoolSender.class);

  private final Spool spool;
  private final Supplier<Transport> transports;
  private final String target;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final RefusedTimestamps refusedTimestamps;

  /**
   * Set when the broker refused a {@code culprit.schemas} record for its timestamp (stamped at send
   * time by a clock running ahead): the publisher announces its schemas again, or a reader would
   * never learn them once the clock is set right.
   */
  private final Set<String> schemasRefused = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final SpoolExpiry expiry;

  /** Topics the broker does not take records of now → its error; written by the sender thread. */
  private final Map<String, String> refusedTopics = new ConcurrentHashMap<>();

  /** Connections opened by transports already closed. */
  private final AtomicLong closedConnections = new AtomicLong();

  /** Topic → {System.nanoTime() of its next try, its current pause in ms}; sender thread only. */
  private final Map<String, long[]> topicRetry = new HashMap<>();

  /** Held topics whose spool could not be read: when each is tried again, and the pause (ms). */
  private final Map<String, long[]> heldRetry = new HashMap<>();

  private final HeldTopics held;
  private final Thread thread;

  private volatile boolean stopping;
  private volatile boolean abort;
  private volatile boolean offline;
  private volatile boolean failing;
  private volatile boolean throttled;
  private int failuresInARow;
  private boolean recordsWaiting = true;
  private long offlineSinceNanos;

  /** Why delivery stopped, as last logged, and when that was. */
  private String offlineReason;

  private long reasonLoggedNanos;

  /** Windows refused in a row for this client's login or TLS ({@link LoginRefusedException}). */
  private int refusalsInARow;

  private volatile Transport transport;

  SpoolSender(Spool spool, Supplier<Transport> transports, String target) {
    this(spool, transports, target, null);
  }

  /**
   * As above; records older than {@code maxAge} (null: none) are dropped, counted, rather than
   * sent.
   */
  SpoolSender(Spool spool, Supplier<Transport> transports, String target, Duration maxAge) {
    this.expiry = new SpoolExpiry(maxAge, System::currentTimeMillis);
    this.spool = spool;
    this.transports = transports;
    this.target = target;
    this.refusedTimestamps = new RefusedTimestamps(target);
    this.held = new HeldTopics(spool.directory(), spool.maxBytes());
    this.thread = new Thread(this::runSender, "culprit-kafka-sender");
    thread.setDaemon(true);
    thread.start();
  }

  /** New records are in the spool. */
  void recordsAppended() {
    lock.lock();
    try {
      recordsWaiting = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the spool holds nothing undelivered. */
  boolean awaitDelivered(Duration timeout) throws InterruptedException {
    return awaitCondition(
        () -> spool.stats().pendingRecords() == 0 && held.stats().pendingRecords() == 0, timeout);
  }

  /**
   * Whether a window took longer than {@link #NOTICE_AFTER} because a broker throttles this client
   * (a quota), until a window goes through unthrottled.
   */
  boolean throttled() {
    return throttled;
  }

  /** Whether the current window went unacknowledged for {@link #NOTICE_AFTER} or failed. */
  boolean unreachable() {
    return offline;
  }

  /** Records whose delivery failed and was retried. */
  long sendErrors() {
    return sendErrors.get();
  }

  /** Times the thread failed unexpectedly and started over after a pause. */
  long failures() {
    return failures.get();
  }

  /** Whether the last attempt failed unexpectedly and no window got through since. */
  boolean failing() {
    return failing;
  }

  /**
   * Topics whose records the broker refuses now (the topic is missing or denied), each with the
   * broker's error; they wait in the spool while the other topics go on.
   */
  Map<String, String> unavailableTopics() {
    return Map.copyOf(refusedTopics);
  }

  /** What the held topics' spools hold and lost (see {@link HeldTopics}). */
  SpoolStats heldStats() {
    return held.stats();
  }

  /** TCP connections every transport opened so far: the first per broker, then reconnects. */
  long connectionsOpened() {
    Transport t = transport;
    long current = 0;
    if (t != null) {
      try {
        current = t.connectionsOpened();
      } catch (RuntimeException e) {
        // closed meanwhile: its count moves to closedConnections
      }
    }
    return closedConnections.get() + current;
  }

  /** Records the broker refused for their timestamp (part of {@link #rejected()}). */
  long timestampRefused() {
    return refusedTimestamps.count();
  }

  /** Records dropped unsent because they were older than the max age. */
  long expired() {
    return expiry.count();
  }

  /** Records the broker refused for good. */
  long rejected() {
    return rejected.get();
  }

  /**
   * Stops: while the broker answers, keeps delivering for up to {@code timeout}; then abandons the
   * window in flight (it stays in the spool) and waits briefly for the thread to end.
   */
  void stop(Duration timeout) {
    stopping = true;
    signal();
    try {
      thread.join(Math.max(1, timeout.toMillis()));
      if (thread.isAlive()) {
        abort = true;
        signal();
        thread.join(KafkaPublisher.DEFAULT_CLOSE_TIMEOUT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort = true;
    }
  }

  private void runSender() {
    SpoolBatch batch = null;
    boolean delivered = false;
    try {
      recoverHeld();
      while (!shouldExit()) {
        try {
          if (batch == null) {
            HeldProgress progress = deliverHeld();
            if (progress == HeldProgress.STOPPED) {
              return;
            }
            if (progress == HeldProgress.SENT) {
              signal(); // a flush waits for the held records too
            }
            lock.lock();
            try {
              recordsWaiting = false;
            } finally {
              lock.unlock();
            }
            batch = spool.next(WINDOW_RECORDS, WINDOW_BYTES);
            delivered = false;
            if (batch.end() == null) {
              batch = null;
              if (stopping) {
                return; // everything is delivered (held records wait for the next start)
              }
              if (progress == HeldProgress.SENT) {
                continue; // more held records may go now
              }
              awaitCondition(() -> recordsWaiting || stopping, SYNC_INTERVAL);
              continue;
            }
          }
          if (!delivered) {
            if (!deliverSchemasFirst(batch.records())) {
              return;
            }
            delivered = true;
          }
          SpoolBatch done = batch;
          batch = null;
          acknowledge(done);
          if (failing) {
            failing = false;
            failuresInARow = 0;
            LOG.info("Kafka sender works again after {} unexpected failure(s)", failures.get());
          }
          signal();
        } catch (IOException e) {
          LOG.error("cannot read the spool {}: {}", spool.directory(), e.toString());
          awaitCondition(() -> abort, RETRY_BACKOFF);
        } catch (RuntimeException e) {
          // The window stays: it is sent again (or, if delivered, acknowledged) after the pause.
          senderFailed(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeTransport();
      held.close();
    }
  }

  private void recoverHeld() {
    try {
      held.recover();
    } catch (IOException | RuntimeException e) {
      LOG.error(
          "cannot reopen the held topics in {}: {}; their records wait there",
          spool.directory(),
          e.toString());
    }
  }

  /** What {@link #deliverHeld} did. */
  private enum HeldProgress {
    /** Nothing was due. */
    IDLE,
    /** A held window was sent (delivered or refused again). */
    SENT,
    /** Told to stop first. */
    STOPPED
  }

  /**
   * Sends one window of each held topic whose pause is over, the oldest records first; records
   * refused again stay for the next try, the pause doubled.
   */
  private HeldProgress deliverHeld() throws IOException, InterruptedException {
    HeldProgress progress = HeldProgress.IDLE;
    for (String topic : held.topics()) {
      long[] retry = topicRetry.get(topic);
      if (retry != null && retry[0] - System.nanoTime() > 0) {
        continue;
      }
      long[] unreadable = heldRetry.get(topic);
      if (unreadable != null && unreadable[0] - System.nanoTime() > 0) {
        continue;
      }
      List<SpoolRecord> records;
      try {
        records = held.next(topic, WINDOW_RECORDS, WINDOW_BYTES);
      } catch (IOException | RuntimeException e) {
        // One held spool that cannot be read waits, as a refused topic does; the others and the
        // main spool go on.
        heldUnreadable(topic, e);
        continue;
      }
      if (heldRetry.remove(topic) != null) {
        LOG.info("the held records of {} can be read again", topic);
      }
      if (records.isEmpty()) {
        continue;
      }
      List<SpoolRecord> refused = new ArrayList<>();
      if (!send(expiry.fresh(records), refused)) {
        return HeldProgress.STOPPED;
      }
      try {
        held.settle(topic, refused);
      } catch (IOException e) {
        LOG.warn(
            "cannot record the delivery of held {} records in {}: {}; they are sent again after a"
                + " restart",
            topic,
            spool.directory(),
            e.toString());
      }
      progress = HeldProgress.SENT;
    }
    return progress;
  }

  private void acknowledge(SpoolBatch batch) {
    try {
      spool.ack(batch);
    } catch (IOException e) {
      LOG.warn("cannot record delivery in the spool {}: {}", spool.directory(), e.toString());
    }
  }

  /** Logs and counts an unexpected failure, drops the producer and pauses before going on. */
  private void senderFailed(RuntimeException e) throws InterruptedException {
    failures.incrementAndGet();
    failing = true;
    failuresInARow++;
    long pauseMs =
        Math.min(
            FAILURE_BACKOFF_MAX.toMillis(),
            RETRY_BACKOFF.toMillis() << Math.min(16, failuresInARow - 1));
    if (failuresInARow == 1) {
      LOG.error(
          "Kafka sender failed unexpectedly; records wait in the spool {}, trying again in {} ms",
          spool.directory(),
          pauseMs,
          e);
    } else {
      LOG.error(
          "Kafka sender failed unexpectedly again ({} in a row): {}; trying again in {} ms",
          failuresInARow,
          e.toString(),
          pauseMs);
    }
    closeTransport();
    awaitCondition(() -> abort, Duration.ofMillis(pauseMs));
  }

  /**
   * Delivers a window in parts that end after each run of {@code culprit.schemas} records: the
   * schemas (and what precedes them) are acknowledged before the records written with them are
   * sent, so no reader can see a record before its schema, even when the two topics' leaders are
   * different brokers. Only windows holding schemas (those of the first cycles after a start, one
   * run per part of a cycle that brought new types) are split.
   */
  private boolean deliverSchemasFirst(List<SpoolRecord> records) throws InterruptedException {
    int from = 0;
    for (int i = 0; i + 1 < records.size(); i++) {
      if (records.get(i).topic().equals(SchemaTopic.NAME)
          && !records.get(i + 1).topic().equals(SchemaTopic.NAME)) {
        if (!deliver(records.subList(from, i + 1))) {
          return false;
        }
        from = i + 1;
      }
    }
    return deliver(records.subList(from, records.size()));
  }

  /**
   * Delivers a part of a main-spool window: records of held topics join their held records unsent;
   * the others are sent until each is acknowledged, rejected or refused with its topic (then it is
   * held). False when told to stop first (the window stays in the spool).
   */
  private boolean deliver(List<SpoolRecord> records) throws InterruptedException {
    if (records.isEmpty()) {
      // Only corrupt frames were skipped: nothing to send, nothing learnt about the broker.
      return true;
    }
    List<SpoolRecord> toSend = new ArrayList<>(records.size());
    List<SpoolRecord> toHold = new ArrayList<>();
    for (SpoolRecord r : expiry.fresh(records)) {
      (held.holds(r.topic()) ? toHold : toSend).add(r);
    }
    if (!send(toSend, toHold)) {
      return false;
    }
    if (!toHold.isEmpty()) {
      // Held topics' and newly refused topics' records are disjoint by topic: each keeps its order.
      Map<String, List<SpoolRecord>> byTopic = new LinkedHashMap<>();
      for (SpoolRecord r : toHold) {
        byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r);
      }
      byTopic.forEach(held::append);
      held.sync(byTopic.keySet());
      trimHeld();
    }
    return true;
  }

  /**
   * Sends until every record is acknowledged, rejected, or refused with its topic ({@link
   * TopicUnavailableException}: added to {@code refused}, in order, and the topic pauses); false
   * when told to stop first.
   */
  private boolean send(List<SpoolRecord> records, List<SpoolRecord> refused)
      throws InterruptedException {
    List<SpoolRecord> pending = records;
    int quickRetries = 0;
    while (!pending.isEmpty()) {
      if (shouldExit()) {
        return false;
      }
      Transport t = transport();
      if (t == null) {
        // No producer can be made (a broker name that does not resolve, say): the main spool grows
        // meanwhile, forced about once a second as in any outage, and with the held topics it keeps
        // one bound.
        syncSpool();
        trimHeld();
        awaitCondition(() -> abort || stopping, RETRY_BACKOFF);
        continue;
      }
      DeliveryAttempt attempt = new DeliveryAttempt(pending.size(), lock, wake);
      t.send(pending, attempt);
      if (!awaitAttempt(attempt)) {
        return false;
      }
      List<SpoolRecord> retry = new ArrayList<>();
      Exception firstFailure = null;
      Map<String, String> unavailable = new LinkedHashMap<>();
      boolean onlyBatchmates = true;
      for (int i = 0; i < attempt.size(); i++) {
        Exception error = attempt.error(i);
        if (error == null) {
          if (topicRetry.remove(pending.get(i).topic()) != null) {
            refusedTopics.remove(pending.get(i).topic());
            LOG.info("Kafka at {} takes records of {} again", target, pending.get(i).topic());
          }
          continue;
        }
        if (error instanceof TopicUnavailableException && !attempt.permanent(i)) {
          refused.add(pending.get(i));
          unavailable.putIfAbsent(pending.get(i).topic(), describe(error));
          sendErrors.incrementAndGet();
          continue;
        }
        if (attempt.permanent(i) && error instanceof TimestampRefusedException) {
          rejected.incrementAndGet();
          refusedTimestamps.refused(pending.get(i), error);
          if (pending.get(i).topic().equals(SchemaTopic.NAME)) {
            schemasRefused.add(pending.get(i).keyString());
          }
        } else if (attempt.permanent(i)) {
          rejected.incrementAndGet();
          LOG.error(
              "broker refuses a {} record for good, dropped: {}",
              pending.get(i).topic(),
              describe(error));
        } else {
          retry.add(pending.get(i));
          firstFailure = firstFailure == null ? error : firstFailure;
          onlyBatchmates &= error instanceof BatchmateRefusedException;
        }
      }
      unavailable.forEach(this::topicFailed);
      if (!retry.isEmpty()) {
        sendErrors.addAndGet(attempt.failedAttempts());
        // A fresh transport has a fresh producer id: nothing of the failed one is written after it.
        closeTransport();
        // Refused only for records of their batch now dropped: the broker answers, go again now.
        if (!onlyBatchmates || quickRetries++ >= MAX_QUICK_RETRIES) {
          boolean loginRefused = firstFailure instanceof LoginRefusedException;
          refusalsInARow = loginRefused ? refusalsInARow + 1 : 0;
          goOffline(describe(firstFailure), System.nanoTime(), loginRefused);
          awaitCondition(
              () -> abort || stopping, loginRefused ? refusalPause(refusalsInARow) : RETRY_BACKOFF);
        }
      }
      pending = retry;
    }
    goOnline();
    if (throttled && (transport == null || !transport.throttled())) {
      throttled = false;
      LOG.info("Kafka at {} no longer throttles this client", target);
    }
    return true;
  }

  /** The held records of {@code topic} cannot be read: they wait, twice as long as last time. */
  private void heldUnreadable(String topic, Exception e) {
    long[] retry = heldRetry.computeIfAbsent(topic, t -> new long[2]);
    retry[1] =
        Math.min(TOPIC_RETRY_MAX.toMillis(), Math.max(RETRY_BACKOFF.toMillis(), retry[1] * 2));
    retry[0] = System.nanoTime() + retry[1] * 1_000_000L;
    LOG.error(
        "cannot read the held records of {} in {}: {}; tried again in {} s while the other topics"
            + " go on",
        topic,
        spool.directory(),
        e.toString(),
        retry[1] / 1000);
  }

  /**
   * The {@code culprit.schemas} keys of the schema announcements refused for their timestamp since
   * the last call: the caller announces those again.
   */
  Set<String> takeSchemasRefused() {
    if (schemasRefused.isEmpty()) {
      return Set.of();
    }
    Set<String> taken = new java.util.HashSet<>();
    for (java.util.Iterator<String> it = schemasRefused.iterator(); it.hasNext(); ) {
      taken.add(it.next());
      it.remove();
    }
    return taken;
  }

  /** {@code topic} cannot take records now: it waits, twice as long as last time. */
  private void topicFailed(String topic, String error) {
    long[] retry = topicRetry.computeIfAbsent(topic, t -> new long[2]);
    retry[1] =
        Math.min(TOPIC_RETRY_MAX.toMillis(), Math.max(RETRY_BACKOFF.toMillis(), retry[1] * 2));
    retry[0] = System.nanoTime() + retry[1] * 1_000_000L;
    refusedTopics.put(topic, error);
    LOG.warn(
        "Kafka at {} does not take records of {} ({}); they wait in the spool {} and are tried"
            + " again in {} s while the other topics go on",
        target,
        topic,
        error,
        spool.directory(),
        retry[1] / 1000);
  }

  /** Waits for every outcome; false when the publisher must stop first. */
  private boolean awaitAttempt(DeliveryAttempt attempt) throws InterruptedException {
    long started = System.nanoTime();
    while (true) {
      lock.lock();
      try {
        if (attempt.done()) {
          return true;
        }
        if (shouldExit()) {
          return false;
        }
        wake.awaitNanos(SYNC_INTERVAL.toNanos());
        if (attempt.done()) {
          return true;
        }
      } finally {
        lock.unlock();
      }
      if (transport != null) {
        transport.tick();
      }
      if (!offline && System.nanoTime() - started >= NOTICE_AFTER.toNanos()) {
        Transport t = transport;
        if (t != null && t.throttled()) {
          // The broker answers and asked this client to wait (a quota): not an outage.
          if (!throttled) {
            throttled = true;
            LOG.warn(
                "Kafka at {} throttles this client (a quota): records wait in the spool {} and go"
                    + " at the rate the quota allows",
                target,
                spool.directory());
          }
        } else {
          // One broker of several going down reads the same from here until its partitions have
          // new leaders (seconds): say so, not only "unreachable".
          goOffline(
              "no acknowledgement within "
                  + NOTICE_AFTER.toSeconds()
                  + " s: a broker down, partition leaders moving, or the network",
              started);
        }
      }
      if (offline) {
        syncSpool();
        trimHeld(); // the main spool grows meanwhile: together they keep the bound
      }
    }
  }

  private boolean shouldExit() {
    return abort || (stopping && offline);
  }

  private Transport transport() {
    if (transport == null) {
      try {
        transport = transports.get();
      } catch (RuntimeException e) {
        goOffline("cannot create a producer: " + describe(e), System.nanoTime());
      }
    }
    return transport;
  }

  private void closeTransport() {
    if (transport != null) {
      try {
        closedConnections.addAndGet(transport.connectionsOpened());
        transport.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the Kafka transport: {}", e.toString());
      }
      transport = null;
    }
  }

  private void goOffline(String reason, long sinceNanos) {
    goOffline(reason, sinceNanos, false);
  }

  /**
   * Marks delivery stopped and says why; while it stays stopped, says so again when the reason
   * changes (a broker down, then refusing the login), at most once a minute.
   */
  private void goOffline(String reason, long sinceNanos, boolean refused) {
    long now = System.nanoTime();
    if (!offline) {
      offline = true;
      offlineSinceNanos = sinceNanos;
      offlineReason = reason;
      reasonLoggedNanos = now;
      LOG.warn(
          refused
              ? "Kafka at {} refuses this client ({}); records wait in the spool {}"
              : "Kafka at {} unreachable ({}); records wait in the spool {}",
          target,
          reason,
          spool.directory());
    } else if (!reason.equals(offlineReason)
        && now - reasonLoggedNanos >= REASON_LOG_INTERVAL.toNanos()) {
      offlineReason = reason;
      reasonLoggedNanos = now;
      LOG.warn(
          refused ? "Kafka at {} refuses this client ({})" : "Kafka at {} still unreachable ({})",
          target,
          reason);
    }
  }

  /**
   * The pause after the {@code inARow}th window in a row refused for this client's login or TLS: 1
   * s, doubling up to {@link #FAILURE_BACKOFF_MAX}.
   */
  static Duration refusalPause(int inARow) {
    return Duration.ofMillis(
        Math.min(
            FAILURE_BACKOFF_MAX.toMillis(),
            RETRY_BACKOFF.toMillis() << Math.min(16, Math.max(0, inARow - 1))));
  }

  private void goOnline() {
    refusalsInARow = 0;
    if (offline) {
      offline = false;
      LOG.info(
          "Kafka at {} reachable again after {} s; {} records still to deliver",
          target,
          (System.nanoTime() - offlineSinceNanos) / 1_000_000_000L,
          spool.stats().pendingRecords());
    }
  }

  /** Keeps the main spool and the held topics together within the main spool's bound. */
  private void trimHeld() {
    if (!held.topics().isEmpty()) {
      held.trimTo(spool.maxBytes() - spool.stats().diskBytes());
    }
  }

  private void syncSpool() {
    try {
      spool.sync();
    } catch (IOException e) {
      LOG.warn("cannot fsync the spool {}: {}", spool.directory(), e.toString());
    }
  }

  private boolean awaitCondition(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || abort) {
          return condition.getAsBoolean();
        }
        wake.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
