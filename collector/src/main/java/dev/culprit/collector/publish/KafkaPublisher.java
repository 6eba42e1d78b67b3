package dev.culprit.collector.publish;

import dev.culprit.collector.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes to Kafka through the on-disk {@link Spool}, which works as a write-ahead log: {@link
 * #publish} stamps {@code seq}, encodes and appends to the spool, and returns; one sender thread
 * reads the spool in order and sends it in windows of up to {@value #WINDOW_RECORDS} records,
 * acknowledging a window in the spool only when the broker acknowledged all of it.
 *
 * <p>So records reach each partition in the order they were published, a broker outage or a
 * collector restart loses nothing within the spool's bound, and what waited is delivered before
 * anything newer. While the broker is down one window stays with the producer, which retries it
 * with its original sequence numbers (the broker de-duplicates those); later records wait on disk.
 * After {@link #NOTICE_AFTER} without an acknowledgement the publisher logs the outage once and
 * forces the spool to disk about once a second; when the window gets through it logs the recovery.
 *
 * <p>The at-least-once edge: a record can reach the broker twice when the producer gave it up after
 * it was written (the whole window outlived {@code delivery.timeout.ms}, five minutes, while its
 * acknowledgement was lost), or when the collector stopped with a window in flight and the next
 * start resends it. Each copy carries the same {@code collectorId} and {@code seq}, so a consumer
 * drops a record whose (host, collectorId, topic, seq) it has seen; a gap in {@code seq} means the
 * spool overflowed or held corrupt records.
 */
public final class KafkaPublisher implements Publisher {

  static final int WINDOW_RECORDS = 500;
  static final long WINDOW_BYTES = 1L << 20;
  static final Duration NOTICE_AFTER = Duration.ofSeconds(3);
  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);
  private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);

  private final Spool spool;
  private final Supplier<Producer<byte[], byte[]>> producers;
  private final String target;
  private final int maxRecordBytes;
  private final SeqStamper stamper = new SeqStamper();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong appendDropped = new AtomicLong();
  private final Thread sender;

  private volatile boolean stopping;
  private volatile boolean abort;
  private volatile boolean offline;
  private volatile boolean closed;
  private boolean recordsWaiting = true;
  private boolean appendFailing;
  private long offlineSinceNanos;
  private Producer<byte[], byte[]> producer;

  /** Only through {@link #open} or, for tests, with another producer factory. */
  KafkaPublisher(Spool spool, Supplier<Producer<byte[], byte[]>> producers, String target) {
    this.spool = spool;
    this.producers = producers;
    this.target = target;
    this.maxRecordBytes = spool.maxRecordBytes();
    this.sender = new Thread(this::runSender, "culprit-kafka-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /**
   * Opens the spool in {@code spoolDir} and starts delivering to {@code bootstrapServers}, what an
   * earlier run left in the spool first.
   *
   * @param overrides producer properties that replace the collector's (see ProducerSettings)
   * @param clientId the producer's client.id, naming this host on the broker
   * @throws IOException when the spool cannot be opened (in use, not writable)
   * @throws org.apache.kafka.common.config.ConfigException when the producer settings are invalid
   */
  public static KafkaPublisher open(
      String bootstrapServers,
      Map<String, String> overrides,
      String clientId,
      Path spoolDir,
      long spoolMaxBytes)
      throws IOException {
    Map<String, Object> props = ProducerSettings.of(bootstrapServers, clientId, overrides);
    new ProducerConfig(props); // fail now on a typo, not in the sender thread forever
    Spool spool = Spool.open(spoolDir, spoolMaxBytes);
    return new KafkaPublisher(spool, () -> new KafkaProducer<>(props), bootstrapServers);
  }

  @Override
  public void publish(List<Sample> samples) {
    if (closed || stopping) {
      throw new IllegalStateException("publisher to " + target + " is closed");
    }
    List<SpoolRecord> records = new ArrayList<>(samples.size());
    synchronized (stamper) {
      for (Sample sample : samples) {
        try {
          byte[] value = stamper.stampAndEncode(sample, maxRecordBytes);
          records.add(
              new SpoolRecord(sample.topic().name(), eventTime(sample), keyBytes(sample), value));
        } catch (IllegalArgumentException e) {
          rejected.incrementAndGet();
          LOG.error("record not published: {}", e.getMessage());
        }
      }
      append(records);
    }
    lock.lock();
    try {
      recordsWaiting = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public PublisherStats stats() {
    SpoolStats s = spool.stats();
    return new PublisherStats(
        s.pendingRecords(),
        s.pendingBytes(),
        s.droppedRecords() + appendDropped.get(),
        s.corruptRecords(),
        sendErrors.get(),
        rejected.get());
  }

  @Override
  public boolean flush(Duration timeout) throws InterruptedException {
    return awaitCondition(() -> spool.stats().pendingRecords() == 0, timeout);
  }

  /** Whether the last window could not be delivered within {@link #NOTICE_AFTER}. */
  public boolean brokerUnreachable() {
    return offline;
  }

  /** The last {@code seq} stamped on {@code topic} by this publisher, 0 when none. */
  public long lastSeq(String topic) {
    synchronized (stamper) {
      return stamper.last(topic);
    }
  }

  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Stops publishing: while the broker answers, delivers what the spool holds for up to {@code
   * timeout}; then abandons the window in flight (it stays in the spool for the next start) and
   * closes the spool.
   */
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    stopping = true;
    signal();
    try {
      sender.join(Math.max(1, timeout.toMillis()));
      if (sender.isAlive()) {
        abort = true;
        signal();
        sender.join(DEFAULT_CLOSE_TIMEOUT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort = true;
    }
    closed = true;
    try {
      spool.close();
    } catch (IOException e) {
      LOG.warn("closing spool {}: {}", spool.directory(), e.toString());
    }
    long left = spool.stats().pendingRecords();
    if (left > 0) {
      LOG.info("{} records stay in the spool {} for the next start", left, spool.directory());
    }
  }

  private void runSender() {
    try {
      while (!shouldExit()) {
        SpoolBatch batch;
        try {
          lock.lock();
          try {
            recordsWaiting = false;
          } finally {
            lock.unlock();
          }
          batch = spool.next(WINDOW_RECORDS, WINDOW_BYTES);
        } catch (IOException e) {
          LOG.error("cannot read the spool {}: {}", spool.directory(), e.toString());
          awaitCondition(() -> abort, RETRY_BACKOFF);
          continue;
        }
        if (batch.end() == null) {
          if (stopping) {
            return;
          }
          awaitCondition(() -> recordsWaiting || stopping, SYNC_INTERVAL);
          continue;
        }
        if (!deliver(batch.records())) {
          return;
        }
        try {
          spool.ack(batch);
        } catch (IOException e) {
          LOG.warn("cannot record delivery in the spool {}: {}", spool.directory(), e.toString());
        }
        signal();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Kafka sender stopped by a bug; records stay in the spool", e);
    } finally {
      closeProducer();
    }
  }

  /** Sends until every record is acknowledged or rejected; false when told to stop first. */
  private boolean deliver(List<SpoolRecord> records) throws InterruptedException {
    if (records.isEmpty()) {
      // Only corrupt frames were skipped: nothing to send, nothing learnt about the broker.
      return true;
    }
    List<SpoolRecord> pending = records;
    while (!pending.isEmpty()) {
      if (shouldExit()) {
        return false;
      }
      Producer<byte[], byte[]> p = producer();
      if (p == null) {
        awaitCondition(() -> abort || stopping, RETRY_BACKOFF);
        continue;
      }
      DeliveryAttempt attempt = send(p, pending);
      if (!awaitAttempt(attempt)) {
        return false;
      }
      List<SpoolRecord> retry = new ArrayList<>();
      Exception firstFailure = null;
      for (int i = 0; i < attempt.size(); i++) {
        Exception error = attempt.error(i);
        if (error == null) {
          continue;
        }
        if (permanent(error)) {
          rejected.incrementAndGet();
          LOG.error(
              "broker refuses a {} record for good, dropped: {}",
              pending.get(i).topic(),
              describe(error));
        } else {
          retry.add(pending.get(i));
          firstFailure = firstFailure == null ? error : firstFailure;
        }
      }
      if (!retry.isEmpty()) {
        sendErrors.addAndGet(attempt.failedAttempts());
        goOffline(describe(firstFailure), System.nanoTime());
        // A fresh producer has a fresh id: nothing of the failed session is written after it.
        closeProducer();
        awaitCondition(() -> abort || stopping, RETRY_BACKOFF);
      }
      pending = retry;
    }
    goOnline();
    return true;
  }

  private DeliveryAttempt send(Producer<byte[], byte[]> p, List<SpoolRecord> records) {
    DeliveryAttempt attempt = new DeliveryAttempt(records.size(), lock, wake);
    for (int i = 0; i < records.size(); i++) {
      SpoolRecord r = records.get(i);
      Long timestamp = r.timestampMs() == SpoolRecord.NO_TIMESTAMP ? null : r.timestampMs();
      try {
        p.send(
            new ProducerRecord<>(r.topic(), null, timestamp, r.key(), r.value()),
            attempt.callback(i));
      } catch (RuntimeException e) {
        attempt.notSent(i, e);
        break;
      }
      // send() reports most failures through the callback before it returns (metadata did not
      // arrive within max.block.ms): stop the window there, so no later record overtakes this one
      // and the rest does not wait max.block.ms each.
      Exception failed = attempt.errorIfDone(i);
      if (failed != null && !permanent(failed)) {
        attempt.notSent(i + 1, failed);
        break;
      }
    }
    return attempt;
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
      if (!offline && System.nanoTime() - started >= NOTICE_AFTER.toNanos()) {
        goOffline("no acknowledgement within " + NOTICE_AFTER.toSeconds() + " s", started);
      }
      if (offline) {
        syncSpool();
      }
    }
  }

  private boolean shouldExit() {
    return abort || (stopping && offline);
  }

  private Producer<byte[], byte[]> producer() {
    if (producer == null) {
      try {
        producer = producers.get();
      } catch (RuntimeException e) {
        goOffline("cannot create a producer: " + describe(e), System.nanoTime());
      }
    }
    return producer;
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        // Zero: abandoned records are still in the spool; waiting would only delay the retry.
        producer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        LOG.debug("closing producer: {}", e.toString());
      }
      producer = null;
    }
  }

  private void append(List<SpoolRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    try {
      spool.append(records);
      if (appendFailing) {
        appendFailing = false;
        LOG.info("spool {} accepts records again", spool.directory());
      }
    } catch (IOException e) {
      appendDropped.addAndGet(records.size());
      if (!appendFailing) {
        appendFailing = true;
        LOG.error(
            "spool {} refuses writes ({}): records are dropped until it recovers",
            spool.directory(),
            e.toString());
      }
    }
  }

  private void goOffline(String reason, long sinceNanos) {
    if (!offline) {
      offline = true;
      offlineSinceNanos = sinceNanos;
      LOG.warn(
          "Kafka at {} unreachable ({}); records wait in the spool {}",
          target,
          reason,
          spool.directory());
    }
  }

  private void goOnline() {
    if (offline) {
      offline = false;
      LOG.info(
          "Kafka at {} reachable again after {} s; {} records still to deliver",
          target,
          (System.nanoTime() - offlineSinceNanos) / 1_000_000_000L,
          spool.stats().pendingRecords());
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

  private static long eventTime(Sample sample) {
    Schema.Field field = sample.value().getSchema().getField("sampleTimeMs");
    if (field != null && sample.value().get(field.pos()) instanceof Long t && t >= 0) {
      return t;
    }
    return SpoolRecord.NO_TIMESTAMP;
  }

  private static byte[] keyBytes(Sample sample) {
    return sample.topic().keySerde().serializer().serialize(sample.topic().name(), sample.key());
  }

  private static boolean permanent(Exception e) {
    return e instanceof RecordTooLargeException
        || e instanceof RecordBatchTooLargeException
        || e instanceof InvalidTopicException
        || e instanceof InvalidRecordException
        || e instanceof InvalidTimestampException
        || e instanceof SerializationException;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no answer from the broker: " + message;
    }
    return message;
  }
}
