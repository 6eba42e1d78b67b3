package dev.culprit.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves fingerprints this build does not know from the compacted topic {@link SchemaTopic},
 * where every collector publishes its schemas before its first record: a reader older than a
 * collector can then decode the newer records (Avro's writer-to-reader resolution drops fields it
 * does not know and fills defaults).
 *
 * <p>A fingerprint is looked up in Kafka only on a miss: the store reads the topic from where it
 * left off to its end, within {@code readTimeout}, and keeps every schema it read. A fingerprint
 * still unknown after that is remembered for {@code missTtl}, and so is a failure to read the topic
 * (absent, unreachable): garbage fingerprints or a missing topic cost one bounded read per {@code
 * missTtl}, not one per record. Within that time a lookup answers at once: null (unknown) or a
 * {@link SchemaStoreException} naming why the topic could not be read.
 *
 * <p>Thread-safe: hits are lock-free; reads of the topic are serialised on one consumer, created on
 * the first miss (a reader whose records all have known schemas never connects).
 */
public final class KafkaSchemaStore implements SchemaStore, AutoCloseable {

  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_MISS_TTL = Duration.ofSeconds(10);

  /** More remembered misses than this are dropped at once: a bound, not a working size. */
  private static final int MAX_MISSES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

  private final Map<String, Object> clientProperties;
  private final String servers;
  private final Duration readTimeout;
  private final long missTtlNanos;
  private final LongSupplier nanoTime;
  private final Map<Long, Schema> known = new ConcurrentHashMap<>();
  private final Map<Long, Long> missUntil = new ConcurrentHashMap<>();
  private volatile Failure failure;

  // Guarded by this.
  private KafkaConsumer<byte[], byte[]> consumer;
  private List<TopicPartition> partitions;
  private boolean closed;

  private record Failure(String reason, Throwable cause, long untilNanos) {}

  /**
   * @param clientProperties Kafka client properties: {@code bootstrap.servers} and the security
   *     settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}); consumer settings the
   *     store needs are set over them
   */
  public KafkaSchemaStore(Map<String, ?> clientProperties) {
    this(clientProperties, DEFAULT_READ_TIMEOUT, DEFAULT_MISS_TTL, System::nanoTime);
  }

  public KafkaSchemaStore(Map<String, ?> clientProperties, Duration readTimeout, Duration missTtl) {
    this(clientProperties, readTimeout, missTtl, System::nanoTime);
  }

  KafkaSchemaStore(
      Map<String, ?> clientProperties,
      Duration readTimeout,
      Duration missTtl,
      LongSupplier nanoTime) {
    this.clientProperties = new HashMap<>(clientProperties);
    this.servers = String.valueOf(clientProperties.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.readTimeout = readTimeout;
    this.missTtlNanos = missTtl.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * The client properties of {@code all} a store needs: bootstrap servers and security settings (a
   * processor's Streams properties hold many a consumer would warn about).
   */
  public static Map<String, Object> clientProperties(Map<?, ?> all) {
    Map<String, Object> out = new HashMap<>();
    all.forEach(
        (k, v) -> {
          String key = String.valueOf(k);
          if (key.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
              || key.equals("security.protocol")
              || key.equals("client.dns.lookup")
              || key.startsWith("sasl.")
              || key.startsWith("ssl.")) {
            out.put(key, v);
          }
        });
    return out;
  }

  /**
   * The schema of {@code fingerprint}, or null when {@code culprit.schemas} does not hold it.
   *
   * @throws SchemaStoreException when the topic could not be read (now or within the last {@code
   *     missTtl})
   */
  @Override
  public Schema findByFingerprint(long fingerprint) {
    Schema schema = known.get(fingerprint);
    if (schema != null) {
      return schema;
    }
    Failure f = failure;
    if (f != null && f.untilNanos() - nanoTime.getAsLong() > 0) {
      throw new SchemaStoreException(f.reason(), f.cause());
    }
    Long until = missUntil.get(fingerprint);
    if (until != null && until - nanoTime.getAsLong() > 0) {
      return null;
    }
    synchronized (this) {
      // Another thread may have read the topic while this one waited.
      schema = known.get(fingerprint);
      if (schema != null) {
        return schema;
      }
      f = failure;
      if (f != null && f.untilNanos() - nanoTime.getAsLong() > 0) {
        throw new SchemaStoreException(f.reason(), f.cause());
      }
      until = missUntil.get(fingerprint);
      if (until != null && until - nanoTime.getAsLong() > 0) {
        return null;
      }
      try {
        readToEnd();
        failure = null;
      } catch (KafkaException | SchemaStoreException | IllegalStateException e) {
        String reason =
            e instanceof SchemaStoreException
                ? e.getMessage()
                : "cannot read " + SchemaTopic.NAME + " from " + servers + ": " + e;
        failure = new Failure(reason, e, nanoTime.getAsLong() + missTtlNanos);
        LOG.warn("{} (asked again in {} ms at the earliest)", reason, missTtlNanos / 1_000_000);
        throw new SchemaStoreException(reason, e);
      }
      schema = known.get(fingerprint);
      if (schema == null) {
        if (missUntil.size() >= MAX_MISSES) {
          missUntil.clear();
        }
        missUntil.put(fingerprint, nanoTime.getAsLong() + missTtlNanos);
      }
      return schema;
    }
  }

  /** How many schemas the store has read from the topic. */
  public int size() {
    return known.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(1));
      consumer = null;
    }
  }

  // Reads every partition of the topic from where the last read stopped to its current end.
  private void readToEnd() {
    if (closed) {
      throw new IllegalStateException("schema store is closed");
    }
    long deadline = System.nanoTime() + readTimeout.toNanos();
    KafkaConsumer<byte[], byte[]> c = consumer();
    if (partitions == null) {
      List<PartitionInfo> infos = c.partitionsFor(SchemaTopic.NAME, readTimeout);
      if (infos == null || infos.isEmpty()) {
        throw new SchemaStoreException(
            "topic "
                + SchemaTopic.NAME
                + " does not exist on "
                + servers
                + ": records of schemas newer than this build cannot be decoded (`culprit up`"
                + " creates it; on a cluster, apply deploy/kubernetes/topics.yaml)",
            null);
      }
      partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> end = c.endOffsets(partitions, remaining(deadline));
    while (!reached(c, end)) {
      Duration left = remaining(deadline);
      if (left.isZero()) {
        throw new SchemaStoreException(
            "cannot read " + SchemaTopic.NAME + " from " + servers + " within " + readTimeout,
            null);
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(left)) {
        add(r);
      }
    }
  }

  private boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey(), readTimeout) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void add(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null || r.value() == null) {
      return; // a tombstone: compaction removes the key, a schema once known stays known here
    }
    String key = new String(r.key(), StandardCharsets.UTF_8);
    try {
      long claimed = SchemaTopic.parseKey(key);
      // A fresh parser per record: schemas of different versions define the same names.
      Schema schema = new Schema.Parser().parse(new String(r.value(), StandardCharsets.UTF_8));
      long actual = SchemaTopic.fingerprint(schema);
      if (actual != claimed) {
        LOG.warn(
            "{} offset {}: key {} is not the fingerprint of its schema ({}); ignored",
            SchemaTopic.NAME,
            r.offset(),
            key,
            SchemaTopic.key(actual));
        return;
      }
      known.put(actual, schema);
      missUntil.remove(actual);
    } catch (IllegalArgumentException | SchemaParseException e) {
      LOG.warn(
          "{} offset {}: not a schema, ignored: {}", SchemaTopic.NAME, r.offset(), e.toString());
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    if (consumer == null) {
      Map<String, Object> p = new HashMap<>(clientProperties);
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      // A missing topic is an answer ("not there"), never a reason to create it empty.
      p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) readTimeout.toMillis());
      p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "culprit-schema-store");
      p.remove(ConsumerConfig.GROUP_ID_CONFIG);
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    return consumer;
  }

  // The read's deadline is real time; the injected clock only ages remembered misses.
  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }
}
