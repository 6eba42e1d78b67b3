package dev.culprit.collector.publish.wire;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A produce-only Kafka client for the collector's spool: an idempotent producer with {@code
 * acks=all} that delivers one window of records at a time and speaks only the four APIs that takes
 * (ApiVersions, Metadata, InitProducerId, Produce) over plain TCP. It exists for memory: the Java
 * client loads every API's schema (about 2 000 classes, 24 MiB of a 87 MiB agent, BENCHMARKS.md);
 * this one is a few dozen classes.
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
 * <p>One thread calls {@link #send}; {@link #close} may be called from any thread and ends a send
 * in progress promptly.
 */
public final class WireProducer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WireProducer.class);

  /**
   * Metadata is fetched again after this long even when nothing failed (the Java client's
   * metadata.max.age.ms): new partitions and moved leaders are seen without an error first.
   */
  static final long METADATA_MAX_AGE_MS = 300_000;

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
   */
  public record Settings(
      List<String> bootstrap,
      String clientId,
      Compression compression,
      int compressionLevel,
      int requestTimeoutMs,
      long deliveryTimeoutMs,
      long retryBackoffMs,
      long retryBackoffMaxMs) {

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
   * client may: see WireTransport).
   */
  public record Outcome(String error, boolean permanent, boolean unsupportedBroker) {

    public static final Outcome OK = new Outcome(null, false, false);

    public Outcome(String error, boolean permanent) {
      this(error, permanent, false);
    }

    public boolean ok() {
      return error == null;
    }
  }

  /** A partition of a topic. */
  private record TopicPartition(String topic, int partition) {}

  /** An open connection and the versions negotiated on it. */
  private record Session(BrokerConnection connection, short produce, short metadata, short init) {}

  private final Settings settings;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closedSignal = lock.newCondition();
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<TopicPartition, Integer> nextSequence = new HashMap<>();
  private Map<Integer, MetadataMessage.Broker> brokers = Map.of();
  private Map<String, MetadataMessage.Topic> topics = Map.of();
  private boolean metadataStale = true;
  private long metadataAtMs;
  private long producerId = -1;
  private short producerEpoch = -1;
  private Compression compression;
  private int nextBootstrap;
  private volatile boolean closed;
  private volatile BrokerConnection opening;

  public WireProducer(Settings settings) {
    this(settings, System::currentTimeMillis);
  }

  WireProducer(Settings settings, LongSupplier clock) {
    this.settings = settings;
    this.clock = clock;
    this.compression = settings.compression().usable(LOG);
  }

  /**
   * Delivers {@code records} (in order within each partition) and returns each one's outcome, in
   * the same order. Blocks until every record is acknowledged or refused for good, the delivery
   * timeout passed (the rest fail, not permanently), or {@link #close} was called.
   */
  public Outcome[] send(List<SpoolRecord> records) {
    Window window = new Window(records);
    long deadline = clock.getAsLong() + settings.deliveryTimeoutMs();
    long backoff = settings.retryBackoffMs();
    while (!window.done()) {
      if (closed) {
        window.failRest(new Outcome("producer closed", false));
        break;
      }
      String failure;
      try {
        failure = attempt(window);
      } catch (UnsupportedBrokerException e) {
        // Retrying cannot help: the outcomes say so, and the records stay in the spool.
        window.failRest(new Outcome(e.getMessage(), false, true));
        break;
      } catch (IOException | RuntimeException e) {
        // A RuntimeException is a bug or a broken codec (zstd's native library): the records
        // acknowledged so far stay acknowledged; the rest is retried like after a lost connection.
        if (e instanceof RuntimeException) {
          LOG.warn("sending a window failed unexpectedly", e);
        }
        failure = describe(e);
        dropSessions();
        metadataStale = true;
      }
      if (window.done()) {
        break;
      }
      if (failure == null) {
        backoff = settings.retryBackoffMs(); // progress (a split batch): go on at once
        continue;
      }
      if (clock.getAsLong() >= deadline) {
        window.failRest(
            new Outcome(
                failure + " (not delivered within " + settings.deliveryTimeoutMs() + " ms)",
                false));
        // A batch of this window may be on the broker with its answer lost: a later window must not
        // reuse these sequence numbers under this producer id.
        producerId = -1;
        nextSequence.clear();
        break;
      }
      pause(backoff);
      backoff = Math.min(Math.max(1, backoff * 2), settings.retryBackoffMaxMs());
    }
    return window.outcomes;
  }

  @Override
  public void close() {
    closed = true;
    lock.lock();
    try {
      closedSignal.signalAll();
    } finally {
      lock.unlock();
    }
    dropSessions();
    BrokerConnection c = opening;
    if (c != null) {
      c.close();
    }
  }

  /**
   * Closes any connection whose call has run longer than the request timeout plus a second: a write
   * to a half-open connection has no timeout of its own. Called from another thread (the spool
   * sender, about once a second while it waits).
   */
  public void closeStuckConnections() {
    long limit = (settings.requestTimeoutMs() + 1_000L) * 1_000_000L;
    List<Session> open;
    synchronized (sessions) {
      open = new ArrayList<>(sessions.values());
    }
    for (Session s : open) {
      s.connection().closeIfBusyLongerThan(limit);
    }
    BrokerConnection c = opening;
    if (c != null) {
      c.closeIfBusyLongerThan(limit);
    }
  }

  /**
   * One round: sessions, producer id, metadata, then one Produce request per leader for every
   * partition with records waiting. Returns null when it made progress without a failure, else what
   * failed (the window keeps the records to retry).
   */
  private String attempt(Window window) throws IOException {
    Session any = anySession();
    if (producerId < 0) {
      initProducerId(any);
    }
    Set<String> wanted = window.topics();
    if (metadataStale
        || clock.getAsLong() - metadataAtMs >= METADATA_MAX_AGE_MS
        || !usable(wanted)) {
      // Every topic known so far too: the cache stays whole, so the next window needs no request.
      Set<String> all = new LinkedHashSet<>(topics.keySet());
      all.addAll(wanted);
      refreshMetadata(any, all);
    }
    String failure = window.assign(topics);

    Map<Integer, Map<TopicPartition, List<Integer>>> byLeader = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, ArrayDeque<Integer>> e : window.pending.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      TopicPartition tp = e.getKey();
      int leader = leaderOf(tp);
      if (leader < 0 || !brokers.containsKey(leader)) {
        metadataStale = true;
        failure = "no leader for " + tp.topic() + "-" + tp.partition();
        continue;
      }
      int limit = window.batchLimit.getOrDefault(tp, Integer.MAX_VALUE);
      List<Integer> take = new ArrayList<>(Math.min(limit, e.getValue().size()));
      for (Integer index : e.getValue()) {
        if (take.size() == limit) {
          break;
        }
        take.add(index);
      }
      byLeader.computeIfAbsent(leader, k -> new LinkedHashMap<>()).put(tp, take);
    }
    for (Map.Entry<Integer, Map<TopicPartition, List<Integer>>> e : byLeader.entrySet()) {
      if (producerId < 0) {
        // Another leader's answer cost us the producer id: no batch goes out without one (the
        // broker would take it as a plain, non-idempotent write).
        return failure == null ? "producer id lost" : failure;
      }
      MetadataMessage.Broker leader = brokers.get(e.getKey());
      String result;
      try {
        result = produce(leader, e.getValue(), window);
      } catch (IOException ex) {
        // This leader only: the others' batches go on; its own wait for the next round.
        dropSession(address(leader));
        metadataStale = true;
        result =
            "leader "
                + leader.nodeId()
                + " at "
                + address(leader)
                + " (as the broker advertises it): "
                + describeLeader(ex);
      }
      failure = failure == null ? result : failure;
    }
    return failure;
  }

  private static String address(MetadataMessage.Broker b) {
    return b.host().contains(":") ? "[" + b.host() + "]:" + b.port() : b.host() + ":" + b.port();
  }

  private String produce(
      MetadataMessage.Broker leader, Map<TopicPartition, List<Integer>> batches, Window window)
      throws IOException {
    Session session = session(address(leader));
    long now = clock.getAsLong();
    Map<String, Map<Integer, byte[]>> request = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, List<Integer>> e : batches.entrySet()) {
      TopicPartition tp = e.getKey();
      List<SpoolRecord> records = new ArrayList<>(e.getValue().size());
      for (int index : e.getValue()) {
        records.add(window.records.get(index));
      }
      byte[] batch =
          RecordBatchWriter.write(
              records,
              producerId,
              producerEpoch,
              nextSequence.getOrDefault(tp, 0),
              compression,
              settings.compressionLevel(),
              now);
      request.computeIfAbsent(tp.topic(), k -> new LinkedHashMap<>()).put(tp.partition(), batch);
    }
    ByteBuffer answer =
        session
            .connection()
            .call(
                ProduceMessage.KEY,
                session.produce(),
                w -> ProduceMessage.writeRequest(w, settings.requestTimeoutMs(), request));
    Map<String, Map<Integer, ProduceMessage.PartitionResult>> results =
        ProduceMessage.readResponse(new WireReader(answer));

    String failure = null;
    for (Map.Entry<TopicPartition, List<Integer>> e : batches.entrySet()) {
      TopicPartition tp = e.getKey();
      List<Integer> sent = e.getValue();
      ProduceMessage.PartitionResult result =
          results.getOrDefault(tp.topic(), Map.of()).get(tp.partition());
      String f = settle(tp, sent, result, window);
      failure = failure == null ? f : failure;
    }
    return failure;
  }

  /** Applies one partition's answer to the window; returns what failed, null on progress. */
  private String settle(
      TopicPartition tp, List<Integer> sent, ProduceMessage.PartitionResult result, Window window) {
    String where = tp.topic() + "-" + tp.partition();
    if (result == null) {
      return "broker did not answer for " + where;
    }
    short code = result.errorCode();
    if (code == KafkaErrors.NONE || code == KafkaErrors.DUPLICATE_SEQUENCE_NUMBER) {
      // DUPLICATE: an earlier copy of this very batch (its answer was lost) is already written.
      window.acknowledge(tp, sent);
      nextSequence.put(tp, advance(nextSequence.getOrDefault(tp, 0), sent.size()));
      return null;
    }
    String error =
        KafkaErrors.name(code) + (result.message() == null ? "" : ": " + result.message());
    if ((code == KafkaErrors.MESSAGE_TOO_LARGE || code == KafkaErrors.RECORD_LIST_TOO_LARGE)
        && sent.size() > 1) {
      window.batchLimit.put(tp, sent.size() / 2);
      LOG.info("{} refused a batch of {} records ({}); sending halves", where, sent.size(), error);
      return null;
    }
    if (code == KafkaErrors.INVALID_RECORD && !result.badRecords().isEmpty()) {
      List<Integer> bad = new ArrayList<>();
      for (int i : result.badRecords()) {
        if (i >= 0 && i < sent.size()) {
          bad.add(sent.get(i));
        }
      }
      if (!bad.isEmpty() && bad.size() < sent.size()) {
        window.reject(tp, bad, error); // the rest goes again, under the same sequence numbers
        return null;
      }
    }
    if (KafkaErrors.permanent(code)) {
      window.reject(tp, sent, error);
      return null;
    }
    if (code == KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE && compression != Compression.NONE) {
      LOG.warn("{} does not take {} batches; sending uncompressed", where, compression);
      compression = Compression.NONE;
      return null;
    }
    if (KafkaErrors.producerStateLost(code)) {
      LOG.warn("broker lost or fenced producer id {} ({}); taking a new one", producerId, error);
      producerId = -1;
      nextSequence.clear();
    } else if (KafkaErrors.staleMetadata(code)) {
      metadataStale = true;
    }
    return where + ": " + error;
  }

  /** Sequence numbers wrap to 0 after Integer.MAX_VALUE, as the broker expects. */
  static int advance(int sequence, int count) {
    long next = (long) sequence + count;
    return next > Integer.MAX_VALUE ? (int) (next - Integer.MAX_VALUE - 1) : (int) next;
  }

  private void initProducerId(Session session) throws IOException {
    ByteBuffer answer =
        session
            .connection()
            .call(
                InitProducerIdMessage.KEY,
                session.init(),
                w -> InitProducerIdMessage.writeRequest(w, session.init()));
    InitProducerIdMessage.Response r = InitProducerIdMessage.readResponse(new WireReader(answer));
    if (r.errorCode() != KafkaErrors.NONE) {
      throw new IOException(
          "broker "
              + session.connection().address()
              + " gives no producer id: "
              + KafkaErrors.name(r.errorCode()));
    }
    producerId = r.producerId();
    producerEpoch = r.producerEpoch();
    nextSequence.clear();
    LOG.debug("producer id {} epoch {}", producerId, producerEpoch);
  }

  private void refreshMetadata(Session session, Set<String> wanted) throws IOException {
    ByteBuffer answer =
        session
            .connection()
            .call(
                MetadataMessage.KEY,
                session.metadata(),
                w -> MetadataMessage.writeRequest(w, session.metadata(), wanted));
    MetadataMessage.Response r =
        MetadataMessage.readResponse(new WireReader(answer), session.metadata());
    if (r.brokers().isEmpty()) {
      throw new IOException("broker " + session.connection().address() + " lists no brokers");
    }
    brokers = r.brokers();
    topics = r.topics();
    metadataStale = false;
    metadataAtMs = clock.getAsLong();
  }

  /** Whether the cached metadata has every one of {@code wanted} with its partitions. */
  private boolean usable(Set<String> wanted) {
    for (String name : wanted) {
      MetadataMessage.Topic t = topics.get(name);
      if (t == null || t.errorCode() != KafkaErrors.NONE || t.partitions().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private int leaderOf(TopicPartition tp) {
    MetadataMessage.Topic topic = topics.get(tp.topic());
    if (topic == null) {
      return -1;
    }
    for (MetadataMessage.Partition p : topic.partitions()) {
      if (p.index() == tp.partition()) {
        return p.errorCode() == KafkaErrors.NONE ? p.leader() : -1;
      }
    }
    return -1;
  }

  /** An open session, reusing one when there is any, else to the next bootstrap address. */
  private Session anySession() throws IOException {
    synchronized (sessions) {
      for (Session s : sessions.values()) {
        return s;
      }
    }
    List<String> bootstrap = settings.bootstrap();
    IOException last = null;
    for (int i = 0; i < bootstrap.size(); i++) {
      String address = bootstrap.get(nextBootstrap++ % bootstrap.size());
      try {
        return session(address);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private Session session(String address) throws IOException {
    synchronized (sessions) {
      Session s = sessions.get(address);
      if (s != null) {
        return s;
      }
    }
    if (closed) {
      throw new IOException("producer closed");
    }
    HostPort hp = HostPort.parse(address);
    BrokerConnection c = new BrokerConnection(address, settings.clientId());
    opening = c; // close() closes it while it connects and negotiates
    try {
      if (closed) {
        throw new IOException("producer closed");
      }
      c.connect(hp.host(), hp.port(), settings.requestTimeoutMs());
      Session s = negotiate(c);
      synchronized (sessions) {
        sessions.put(address, s);
      }
      if (closed) {
        dropSessions();
        throw new IOException("producer closed");
      }
      return s;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    } finally {
      opening = null;
    }
  }

  private static Session negotiate(BrokerConnection c) throws IOException {
    ByteBuffer answer =
        c.call(
            ApiVersionsMessage.KEY,
            ApiVersionsMessage.VERSION,
            w -> ApiVersionsMessage.writeRequest(w, softwareVersion()));
    ApiVersionsMessage.Response r = ApiVersionsMessage.readResponse(new WireReader(answer));
    if (r.errorCode() != KafkaErrors.NONE) {
      throw new UnsupportedBrokerException(
          "broker "
              + c.address()
              + " refuses ApiVersions v3 ("
              + KafkaErrors.name(r.errorCode())
              + "): it predates the flexible protocol versions this client speaks");
    }
    short produce =
        r.pick(ProduceMessage.KEY, ProduceMessage.MIN_VERSION, ProduceMessage.MAX_VERSION);
    short metadata =
        r.pick(MetadataMessage.KEY, MetadataMessage.MIN_VERSION, MetadataMessage.MAX_VERSION);
    short init =
        r.pick(
            InitProducerIdMessage.KEY,
            InitProducerIdMessage.MIN_VERSION,
            InitProducerIdMessage.MAX_VERSION);
    if (produce < 0 || metadata < 0 || init < 0) {
      throw new UnsupportedBrokerException(
          "broker "
              + c.address()
              + " does not speak Produce v9-12, Metadata v9-12 and InitProducerId v2-5, the"
              + " versions this client needs");
    }
    return new Session(c, produce, metadata, init);
  }

  /** The jar's version in the characters the broker accepts ({@code [a-zA-Z0-9.-]}, alnum ends). */
  static String softwareVersion() {
    String v = WireProducer.class.getPackage().getImplementationVersion();
    String clean =
        v == null
            ? ""
            : v.replaceAll("[^A-Za-z0-9.-]", "-").replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    return clean.isEmpty() ? "dev" : clean;
  }

  private void dropSession(String address) {
    Session s;
    synchronized (sessions) {
      s = sessions.remove(address);
    }
    if (s != null) {
      s.connection().close();
    }
  }

  private void dropSessions() {
    List<Session> open;
    synchronized (sessions) {
      open = new ArrayList<>(sessions.values());
      sessions.clear();
    }
    for (Session s : open) {
      s.connection().close();
    }
  }

  private void pause(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    lock.lock();
    try {
      long left;
      while (!closed && (left = deadline - System.nanoTime()) > 0) {
        closedSignal.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  private String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SocketTimeoutException) {
      return "no answer from the broker within " + settings.requestTimeoutMs() + " ms";
    }
    if (e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException) {
      return "cannot connect to " + String.join(",", settings.bootstrap()) + ": " + message;
    }
    return message;
  }

  private String describeLeader(IOException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SocketTimeoutException) {
      return "no answer within " + settings.requestTimeoutMs() + " ms";
    }
    if (e instanceof java.net.UnknownHostException) {
      return "unknown host " + message;
    }
    return message;
  }

  /** The records of one {@link #send} call and where each one is. */
  private static final class Window {
    final List<SpoolRecord> records;
    final Outcome[] outcomes;
    final int[] partitionOf;
    final Map<TopicPartition, ArrayDeque<Integer>> pending = new LinkedHashMap<>();
    final Map<TopicPartition, Integer> batchLimit = new HashMap<>();
    int open;

    Window(List<SpoolRecord> records) {
      this.records = records;
      this.outcomes = new Outcome[records.size()];
      this.partitionOf = new int[records.size()];
      Arrays.fill(partitionOf, -1);
      this.open = records.size();
    }

    boolean done() {
      return open == 0;
    }

    boolean hasUnassigned() {
      for (int i = 0; i < partitionOf.length; i++) {
        if (partitionOf[i] < 0 && outcomes[i] == null) {
          return true;
        }
      }
      return false;
    }

    Set<String> topics() {
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < records.size(); i++) {
        if (outcomes[i] == null) {
          names.add(records.get(i).topic());
        }
      }
      return names;
    }

    /**
     * Gives every unassigned record its partition where the topic's metadata allows; a record keeps
     * its partition for good (its batch may already be on the broker). Returns why some record
     * could not be assigned, or null.
     */
    String assign(Map<String, MetadataMessage.Topic> topics) {
      String failure = null;
      for (int i = 0; i < records.size(); i++) {
        if (partitionOf[i] >= 0 || outcomes[i] != null) {
          continue;
        }
        SpoolRecord r = records.get(i);
        MetadataMessage.Topic topic = topics.get(r.topic());
        if (topic == null
            || topic.errorCode() != KafkaErrors.NONE
            || topic.partitions().isEmpty()) {
          String why =
              topic == null
                  ? "not in the broker's answer"
                  : topic.errorCode() != KafkaErrors.NONE
                      ? KafkaErrors.name(topic.errorCode())
                      : "no partitions";
          if (topic != null && topic.errorCode() == KafkaErrors.INVALID_TOPIC_EXCEPTION) {
            fail(i, "topic " + r.topic() + ": " + why, true);
            continue;
          }
          failure = failure == null ? "topic " + r.topic() + ": " + why : failure;
          continue;
        }
        int partition = Murmur2.partition(r.key(), topic.partitions().size());
        partitionOf[i] = partition;
        pending
            .computeIfAbsent(new TopicPartition(r.topic(), partition), k -> new ArrayDeque<>())
            .add(i);
      }
      return failure;
    }

    void acknowledge(TopicPartition tp, List<Integer> sent) {
      ArrayDeque<Integer> queue = pending.get(tp);
      for (int index : sent) {
        queue.remove(index);
        settle(index, Outcome.OK);
      }
    }

    void reject(TopicPartition tp, List<Integer> indexes, String error) {
      ArrayDeque<Integer> queue = pending.get(tp);
      for (int index : indexes) {
        queue.remove(index);
        fail(index, error, true);
      }
    }

    void fail(int index, String error, boolean permanent) {
      settle(index, new Outcome(error, permanent));
    }

    /** Every record without an outcome gets {@code outcome}. */
    void failRest(Outcome outcome) {
      for (int i = 0; i < outcomes.length; i++) {
        settle(i, outcome);
      }
      pending.clear();
    }

    /** Record {@code index}'s outcome, once: a record that has one keeps it. */
    private void settle(int index, Outcome outcome) {
      if (outcomes[index] == null) {
        outcomes[index] = outcome;
        open--;
      }
    }
  }
}
