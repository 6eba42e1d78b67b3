package dev.culprit.collector.publish.wire;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A produce-only Kafka client for the collector's spool: an idempotent producer with {@code
 * acks=all} that delivers one window of records at a time and speaks only the four APIs that takes
 * (ApiVersions, Metadata, InitProducerId, Produce), plus SaslHandshake and SaslAuthenticate where
 * the cluster requires SASL (PLAIN, SCRAM-SHA-256/512), over plain TCP or the JDK's TLS ({@link
 * TlsSettings}). It exists for memory: the Java client loads every API's schema (about 2 000
 * classes, 24 MiB of a 87 MiB agent, BENCHMARKS.md); this one is a few dozen classes.
 *
 * <p>Delivery: records are partitioned as the Java client does (murmur2 of the key), one batch per
 * partition carries the producer id and the partition's next sequence number, and one request per
 * leader is in flight at a time. A batch whose answer is lost (timeout, broken connection, broker
 * restart) is sent again with the same sequence numbers, so the broker writes it once; the retries
 * go on, with growing pauses, until the window is delivered or {@link Settings#deliveryTimeoutMs}
 * passed. A moved leader makes it fetch metadata again; a broker that lost the producer's state (or
 * fenced it) makes it take a new producer id. A batch the broker refuses for good is split when too
 * large, else its records are reported as rejected; the broker's record-level errors drop only the
 * records it names.
 *
 * <p>The parts carry the Java client's names: {@link ProducerMetadata} (cluster metadata), {@link
 * NetworkClient} (connections), {@link TransactionManager} (producer id, epoch, sequences), {@link
 * Partitioner}, and {@link Sender} (the send/retry loop).
 *
 * <p>One thread calls {@link #send}; {@link #close} may be called from any thread and ends a send
 * in progress promptly.
 */
public final class WireProducer implements AutoCloseable {

  /**
   * How to reach and use the cluster.
   *
   * @param bootstrap {@code host:port} addresses to ask for metadata, tried in turn
   * @param clientId names this producer in broker logs and quotas
   * @param compression the codec of every batch
   * @param compressionLevel the codec's level (zstd: 1-22, gzip: 1-9; ignored for none)
   * @param requestTimeoutMs longest wait for a connection or one answer (request.timeout.ms)
   * @param deliveryTimeoutMs longest time a window is retried before its records fail
   * @param retryBackoffMs first pause after a failed attempt, doubled up to {@code
   *     retryBackoffMaxMs}
   * @param sasl the SASL mechanism and credentials (security.protocol SASL_PLAINTEXT or SASL_SSL),
   *     or null
   * @param tls TLS over each connection (security.protocol SSL or SASL_SSL), or null
   */
  public record Settings(
      List<String> bootstrap,
      String clientId,
      Compression compression,
      int compressionLevel,
      int requestTimeoutMs,
      long deliveryTimeoutMs,
      long retryBackoffMs,
      long retryBackoffMaxMs,
      SaslCredentials sasl,
      TlsSettings tls) {

    /** Without SASL and TLS (security.protocol=PLAINTEXT). */
    public Settings(
        List<String> bootstrap,
        String clientId,
        Compression compression,
        int compressionLevel,
        int requestTimeoutMs,
        long deliveryTimeoutMs,
        long retryBackoffMs,
        long retryBackoffMaxMs) {
      this(
          bootstrap,
          clientId,
          compression,
          compressionLevel,
          requestTimeoutMs,
          deliveryTimeoutMs,
          retryBackoffMs,
          retryBackoffMaxMs,
          null,
          null);
    }

    public Settings {
      bootstrap = List.copyOf(bootstrap);
      if (bootstrap.isEmpty()) {
        throw new IllegalArgumentException("no bootstrap servers");
      }
      for (String address : bootstrap) {
        HostPort.parse(address);
      }
      if (requestTimeoutMs <= 0 || deliveryTimeoutMs <= 0 || retryBackoffMs < 0) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      // At least 1 ms between attempts: never a busy loop of reconnects.
      retryBackoffMaxMs = Math.max(Math.max(1, retryBackoffMs), retryBackoffMaxMs);
    }
  }

  /**
   * What became of one record: acknowledged ({@link #OK}), or failed, for now or for good; {@code
   * unsupportedBroker} when the broker does not speak the versions this client needs (the Java
   * client may: see WireTransport); {@code topicUnavailable} when the record's topic does not exist
   * or this client may not write to it (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED):
   * failed at once rather than retried, so the caller can let other topics go on; {@code
   * timestampRefused} when the broker refused the record for its timestamp (INVALID_TIMESTAMP: out
   * of the topic's {@code message.timestamp.after.max.ms} / {@code before.max.ms}), for good;
   * {@code loginRefused} when the cluster refused this client's SASL login or TLS handshake (not
   * permanent: the records stay in the spool until the settings are fixed).
   */
  public record Outcome(
      String error,
      boolean permanent,
      boolean unsupportedBroker,
      boolean topicUnavailable,
      boolean timestampRefused,
      boolean loginRefused) {

    public static final Outcome OK = new Outcome(null, false, false, false, false, false);

    public Outcome(String error, boolean permanent) {
      this(error, permanent, false, false, false, false);
    }

    public Outcome(String error, boolean permanent, boolean unsupportedBroker) {
      this(error, permanent, unsupportedBroker, false, false, false);
    }

    static Outcome topicUnavailable(String error) {
      return new Outcome(error, false, false, true, false, false);
    }

    static Outcome timestampRefused(String error) {
      return new Outcome(error, true, false, false, true, false);
    }

    static Outcome loginRefused(String error) {
      return new Outcome(error, false, false, false, false, true);
    }

    public boolean ok() {
      return error == null;
    }
  }

  private final NetworkClient client;
  private final TransactionManager transactions = new TransactionManager();
  private final Sender sender;

  public WireProducer(Settings settings) {
    this(settings, System::currentTimeMillis);
  }

  WireProducer(Settings settings, LongSupplier clock) {
    this.client = new NetworkClient(settings);
    this.sender = new Sender(settings, clock, client, new ProducerMetadata(clock), transactions);
  }

  /**
   * Delivers {@code records} (in order within each partition) and returns each one's outcome, in
   * the same order. Blocks until every record is acknowledged or refused for good, the delivery
   * timeout passed (the rest fail, not permanently), or {@link #close} was called.
   */
  public Outcome[] send(List<SpoolRecord> records) {
    return sender.send(records);
  }

  /**
   * TCP connections this producer opened: one per broker it talks to, and one more after each
   * timeout or lost connection.
   */
  public long connectionsOpened() {
    return client.connectionsOpened();
  }

  /**
   * How often the broker's answers showed records it had acknowledged to be lost (an unclean leader
   * election, a re-created topic); each one is logged at WARN.
   */
  public long dataLossEvents() {
    return transactions.dataLossEvents();
  }

  /** The idempotence state, for tests that need a partition's sequence out of step. */
  TransactionManager transactionManager() {
    return transactions;
  }

  @Override
  public void close() {
    sender.close();
    client.close();
  }

  /**
   * Closes any connection whose call has run longer than the request timeout plus a second: a write
   * to a half-open connection has no timeout of its own. Called from another thread (the spool
   * sender, about once a second while it waits).
   */
  public void closeStuckConnections() {
    client.closeStuckConnections();
  }

  /**
   * Whether a broker throttles this producer (a quota's {@code throttle_time_ms}) now or did less
   * than {@code nanos} ago: a slow window is then the quota, not an outage.
   */
  public boolean throttledWithin(long nanos) {
    return client.throttledWithin(nanos);
  }
}
