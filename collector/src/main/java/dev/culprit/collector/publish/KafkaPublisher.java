package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.spool.SpoolStats;
import dev.culprit.collector.records.WireTopic;
import dev.culprit.collector.spi.Sample;
import dev.culprit.schemas.SchemaTopic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes to Kafka through the on-disk {@link Spool}, which works as a write-ahead log: {@link
 * #publish} stamps {@code seq}, encodes and appends to the spool, and returns; one sender thread
 * ({@link SpoolSender}) reads the spool in order and sends it in windows, acknowledging a window in
 * the spool only when the broker acknowledged all of it.
 *
 * <p>So records reach each partition in the order they were published, a broker outage or a
 * collector restart loses nothing within the spool's bound, and what waited is delivered before
 * anything newer. While the broker is down one window stays with the producer, which retries it
 * with its original sequence numbers (the broker de-duplicates those); later records wait on disk.
 * After three seconds without an acknowledgement the publisher logs the outage once and forces the
 * spool to disk about once a second; when the window gets through it logs the recovery.
 *
 * <p>Before the first record of each type, once per process, the publisher spools that type's
 * schema for the compacted topic {@code culprit.schemas} (key: fingerprint; value: the schema's
 * JSON), so readers built before this collector's schemas can still decode its records.
 *
 * <p>The at-least-once edge: a record can reach the broker twice when the producer gave it up after
 * it was written (the whole window outlived {@code delivery.timeout.ms}, five minutes, while its
 * acknowledgement was lost), or when the collector stopped with a window in flight and the next
 * start resends it. Each copy carries the same {@code collectorId} and {@code seq}, so a consumer
 * drops a record whose (host, collectorId, topic, seq) it has seen; a gap in {@code seq} means
 * records were lost: the spool overflowed or held corrupt records, or the broker refused one for
 * good (all three are counted in the health record).
 */
public final class KafkaPublisher implements Publisher {

  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);

  /** Below the contract topics' sample retention (7 days): see SpoolExpiry. */
  public static final Duration DEFAULT_SPOOL_MAX_AGE = SpoolExpiry.DEFAULT_MAX_AGE;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);

  private final Spool spool;
  private final String target;
  private final int maxRecordBytes;
  private final SeqStamper stamper = new SeqStamper();
  private final AtomicLong rejected = new AtomicLong();

  /** Full names of the schemas put in the spool for {@code culprit.schemas}; guarded by stamper. */
  private final Set<String> announced = new HashSet<>();

  /** The {@code culprit.schemas} key of each schema announced, to its full name. */
  private final Map<String, String> announcedKeys = new HashMap<>();

  /**
   * Schemas whose announcement the broker refused for its timestamp (a clock running ahead), to be
   * announced again: at once the first time, then at most every {@link #REANNOUNCE_EVERY}, so a
   * clock that stays wrong costs a refused record per type a minute, not per cycle.
   */
  private final Set<String> refusedSchemas = new HashSet<>();

  static final Duration REANNOUNCE_EVERY = Duration.ofMinutes(1);
  private long reannouncedAtNanos;
  private boolean reannounced;

  private final SpoolSender sender;

  private volatile boolean closed;
  private boolean appendFailing;

  /** Only through {@link #open} or, for tests, with another transport factory. */
  KafkaPublisher(Spool spool, Supplier<Transport> transports, String target) {
    this(spool, transports, target, null);
  }

  private KafkaPublisher(
      Spool spool, Supplier<Transport> transports, String target, Duration spoolMaxAge) {
    this.spool = spool;
    this.target = target;
    this.maxRecordBytes = spool.maxRecordBytes();
    this.sender = new SpoolSender(spool, transports, target, spoolMaxAge);
  }

  /**
   * Whether these settings make the Java Kafka client carry the records (TLS, another SASL
   * mechanism, lz4 …) rather than the built-in one. A command checks a login up front with the Java
   * client's Admin only then: loading it into an agent on the built-in client would cost that agent
   * about 20 MiB for good (BENCHMARKS.md, Collector).
   */
  public static boolean javaClientCarries(String bootstrapServers, Map<String, String> overrides) {
    return ProducerSettings.wireRefusal(ProducerSettings.of(bootstrapServers, "culprit", overrides))
        != null;
  }

  /**
   * Opens the spool in {@code spoolDir} and starts delivering to {@code bootstrapServers}, what an
   * earlier run left in the spool first.
   *
   * <p>The built-in produce-only client carries the records unless {@code overrides} ask for
   * something only the Java client has (TLS, SASL, lz4, …): the log says which one and why.
   *
   * @param overrides producer properties that replace the collector's (see ProducerSettings)
   * @param clientId the producer's client.id, naming this host on the broker
   * @throws IOException when the spool cannot be opened (in use, not writable)
   * @throws IllegalArgumentException when a setting is invalid for the built-in client
   * @throws org.apache.kafka.common.config.ConfigException when it is invalid for the Java client
   */
  public static KafkaPublisher open(
      String bootstrapServers,
      Map<String, String> overrides,
      String clientId,
      Path spoolDir,
      long spoolMaxBytes)
      throws IOException {
    return open(bootstrapServers, overrides, clientId, spoolDir, spoolMaxBytes, null);
  }

  /**
   * As {@link #open(String, Map, String, Path, long)}; spooled records older than {@code
   * spoolMaxAge} are dropped and counted rather than sent (see SpoolExpiry). Null: no max age, for
   * publishers of recorded samples; the agent's command line sets {@link #DEFAULT_SPOOL_MAX_AGE}.
   */
  public static KafkaPublisher open(
      String bootstrapServers,
      Map<String, String> overrides,
      String clientId,
      Path spoolDir,
      long spoolMaxBytes,
      Duration spoolMaxAge)
      throws IOException {
    if (spoolMaxAge != null && (spoolMaxAge.isNegative() || spoolMaxAge.isZero())) {
      throw new IllegalArgumentException("spool max age must be positive: " + spoolMaxAge);
    }
    Map<String, Object> props = ProducerSettings.of(bootstrapServers, clientId, overrides);
    String javaClientFor = ProducerSettings.wireRefusal(props);
    Supplier<Transport> transports;
    if (javaClientFor == null) {
      var settings = ProducerSettings.wire(props); // fail now on a typo, not in the sender thread
      LOG.info(
          "Kafka: the built-in client carries the records ({}{})",
          settings.tls() != null ? "TLS" : "plain TCP",
          settings.sasl() != null ? ", SASL " + settings.sasl().mechanism() : "");
      if (settings.tls() != null && !settings.tls().verifiesHostname()) {
        LOG.warn(
            "Kafka: ssl.endpoint.identification.algorithm is empty: a broker's certificate is"
                + " not checked against its name, so anyone with a certificate the trust store"
                + " trusts can pose as the broker");
      }
      AtomicBoolean javaClient = new AtomicBoolean();
      Runnable brokerTooOld =
          () -> {
            if (!javaClient.getAndSet(true)) {
              LOG.warn(
                  "Kafka at {} does not speak the built-in client's protocol versions: the Java"
                      + " client carries the records from now on",
                  bootstrapServers);
            }
          };
      transports =
          () ->
              javaClient.get()
                  ? KafkaClientTransport.open(props)
                  : new WireTransport(settings, brokerTooOld);
    } else {
      new ProducerConfig(props); // fail now on a typo, not in the sender thread forever
      LOG.info("Kafka: the Java client carries the records ({} asks for it)", javaClientFor);
      transports = () -> KafkaClientTransport.open(props);
    }
    Spool spool = Spool.open(spoolDir, spoolMaxBytes);
    return new KafkaPublisher(spool, transports, bootstrapServers, spoolMaxAge);
  }

  @Override
  public void publish(List<Sample> samples) {
    startCycle().publish(samples);
  }

  /**
   * A cycle that stamps, encodes and spools each part as it is added (the schemas of its new types
   * in front of it), so the cycle's samples and their encodings die young, and wakes the sender
   * only when it ends: the records reach the spool in the order added, every topic in {@code seq}
   * order, each record once. {@link Cycle#abandon} leaves what was added in the spool, to be
   * delivered like the rest.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public Cycle startCycle() {
    checkOpen();
    return new SpoolingCycle();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("publisher to " + target + " is closed");
    }
  }

  /** Stamps, encodes and spools {@code samples}, their new types' schemas first. */
  private void spool(List<Sample> samples) {
    checkOpen();
    List<SpoolRecord> records = new ArrayList<>(samples.size());
    synchronized (stamper) {
      reannounceRefusedSchemas();
      // New schemas go first, all of them: the sender sends them alone, before any record.
      List<String> announcedNow = new ArrayList<>(0);
      for (Sample sample : samples) {
        announceSchema(sample, records, announcedNow);
      }
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
      if (!append(records)) {
        announced.removeAll(announcedNow); // lost with the records: announce again next time
      }
    }
  }

  /** {@link #startCycle()}'s cycle. */
  private final class SpoolingCycle implements Cycle {
    private boolean ended;

    @Override
    public void add(List<Sample> samples) {
      if (ended) {
        throw new IllegalStateException("the cycle has ended");
      }
      spool(samples);
    }

    @Override
    public void publish(List<Sample> last) {
      try {
        add(last);
      } finally {
        end();
      }
    }

    @Override
    public void abandon() {
      end();
    }

    private void end() {
      if (!ended) {
        ended = true;
        sender.recordsAppended();
      }
    }
  }

  @Override
  public PublisherStats stats() {
    SpoolStats s = spool.stats();
    SpoolStats h = sender.heldStats();
    return new PublisherStats(
        s.pendingRecords() + h.pendingRecords(),
        s.pendingBytes() + h.pendingBytes(),
        s.droppedRecords() + h.droppedRecords(),
        s.corruptRecords() + h.corruptRecords(),
        sender.sendErrors(),
        rejected.get() + sender.rejected(),
        sender.failures(),
        sender.connectionsOpened(),
        sender.unavailableTopics(),
        sender.timestampRefused(),
        sender.expired());
  }

  @Override
  public boolean flush(Duration timeout) throws InterruptedException {
    return sender.awaitDelivered(timeout);
  }

  /** Whether the broker has not acknowledged the current window for three seconds, or failed it. */
  public boolean brokerUnreachable() {
    return sender.unreachable();
  }

  /**
   * Whether a broker throttles this client (a quota) so that windows take longer than three
   * seconds: records then wait in the spool, and the broker is not unreachable.
   */
  public boolean throttled() {
    return sender.throttled();
  }

  /**
   * Whether the thread that drains the spool failed unexpectedly and has not delivered a window
   * since (it keeps trying; the health record counts the failures).
   */
  public boolean senderFailing() {
    return sender.failing();
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
   * closes the spool. Idempotent.
   */
  public synchronized void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    sender.stop(timeout);
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

  /**
   * Puts the schema of {@code sample}'s topic in front of its first record of this process, so any
   * reader finds the schema in {@code culprit.schemas} by the time it meets the record: the spool
   * keeps the order, and the sender delivers a window's schemas before the rest of it.
   */
  private void announceSchema(Sample sample, List<SpoolRecord> records, List<String> announcedNow) {
    WireTopic<?> topic = sample.topic();
    String name = topic.schemaName();
    if (announced.add(name)) {
      announcedNow.add(name);
      String key = SchemaTopic.key(topic.fingerprint());
      announcedKeys.computeIfAbsent(key, k -> name);
      records.add(
          SpoolRecord.of(
              SchemaTopic.NAME,
              SpoolRecord.NO_TIMESTAMP,
              key,
              topic.schemaJson().getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** Lets the schemas refused for their timestamp be announced again, when due. */
  private void reannounceRefusedSchemas() {
    for (String key : sender.takeSchemasRefused()) {
      String name = announcedKeys.get(key);
      if (name != null) {
        refusedSchemas.add(name);
      }
    }
    long now = System.nanoTime();
    if (!refusedSchemas.isEmpty()
        && (!reannounced || now - reannouncedAtNanos >= REANNOUNCE_EVERY.toNanos())) {
      announced.removeAll(refusedSchemas);
      refusedSchemas.clear();
      reannounced = true;
      reannouncedAtNanos = now;
    }
  }

  /** False when the spool refused the records. */
  private boolean append(List<SpoolRecord> records) {
    if (records.isEmpty()) {
      return true;
    }
    try {
      spool.append(records);
      if (appendFailing) {
        appendFailing = false;
        LOG.info("spool {} accepts records again", spool.directory());
      }
      return true;
    } catch (IOException e) {
      // The spool counted the records it could not write as dropped.
      if (!appendFailing) {
        appendFailing = true;
        LOG.error(
            "spool {} refuses writes ({}): records are dropped until it recovers",
            spool.directory(),
            e.toString());
      }
      return false;
    }
  }

  private static long eventTime(Sample sample) {
    long t = sample.value().getSampleTimeMs();
    return t >= 0 ? t : SpoolRecord.NO_TIMESTAMP;
  }

  private static byte[] keyBytes(Sample sample) {
    return sample.key().getBytes(StandardCharsets.UTF_8);
  }
}
