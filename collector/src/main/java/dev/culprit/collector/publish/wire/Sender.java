package dev.culprit.collector.publish.wire;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send/retry loop (Kafka's {@code Sender}): rounds of metadata, producer id and one Produce
 * request per leader, with growing pauses between failed rounds, until the window is delivered or
 * the delivery timeout passed. Applies each partition's answer: acknowledged, split, rejected, or
 * kept for the next round.
 */
final class Sender {

  private static final Logger LOG = LoggerFactory.getLogger(WireProducer.class);

  private final WireProducer.Settings settings;
  private final LongSupplier clock;
  private final NetworkClient client;
  private final ProducerMetadata metadata;
  private final TransactionManager transactions;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closedSignal = lock.newCondition();
  private Compression compression;
  private volatile boolean closed;

  Sender(
      WireProducer.Settings settings,
      LongSupplier clock,
      NetworkClient client,
      ProducerMetadata metadata,
      TransactionManager transactions) {
    this.settings = settings;
    this.clock = clock;
    this.client = client;
    this.metadata = metadata;
    this.transactions = transactions;
    this.compression = settings.compression().usable(LOG);
  }

  WireProducer.Outcome[] send(List<SpoolRecord> records) {
    Window window = new Window(records);
    long deadline = clock.getAsLong() + settings.deliveryTimeoutMs();
    long backoff = settings.retryBackoffMs();
    while (!window.done()) {
      if (closed) {
        window.failRest(new WireProducer.Outcome("producer closed", false));
        break;
      }
      String failure;
      try {
        failure = attempt(window);
      } catch (AuthenticationException e) {
        // Wrong credentials stay wrong: say so now rather than retry until the delivery timeout.
        client.dropSessions();
        window.failRest(WireProducer.Outcome.loginRefused(e.getMessage()));
        break;
      } catch (UnsupportedBrokerException e) {
        // Retrying cannot help: the outcomes say so, and the records stay in the spool.
        window.failRest(new WireProducer.Outcome(e.getMessage(), false, true));
        break;
      } catch (IOException | RuntimeException e) {
        // A RuntimeException is a bug or a broken codec (zstd's native library): the records
        // acknowledged so far stay acknowledged; the rest is retried like after a lost connection.
        if (e instanceof RuntimeException) {
          LOG.warn("sending a window failed unexpectedly", e);
        }
        failure = describe(e);
        if (!(e instanceof BrokerErrorException)) {
          // The connection itself failed (or the codec did): start over with fresh ones.
          LOG.debug("a round failed; reconnecting: {}", failure, e);
          client.dropSessions();
        }
        metadata.requestUpdate();
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
            new WireProducer.Outcome(
                failure + " (not delivered within " + settings.deliveryTimeoutMs() + " ms)",
                false));
        // A batch of this window may be on the broker with its answer lost: a later window must not
        // reuse these sequence numbers under this producer id.
        transactions.reset();
        break;
      }
      pause(backoff);
      backoff = Math.min(Math.max(1, backoff * 2), settings.retryBackoffMaxMs());
    }
    return window.outcomes;
  }

  /** Ends a send in progress promptly, from any thread. */
  void close() {
    closed = true;
    lock.lock();
    try {
      closedSignal.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One round: sessions, producer id, metadata, then one Produce request per leader for every
   * partition with records waiting. Returns null when it made progress without a failure, else what
   * failed (the window keeps the records to retry).
   */
  private String attempt(Window window) throws IOException {
    NetworkClient.Session any = client.anySession();
    transactions.bumpEpochIfReady();
    if (transactions.needsInit()) {
      transactions.initProducerId(any);
    }
    metadata.updateIfNeeded(any, window.topics());
    String failure = window.assign(metadata.topics());
    for (TopicPartition tp : window.pending.keySet()) {
      // A topic deleted (or denied) since its records were given partitions: fail them back.
      MetadataMessage.Topic t = metadata.topics().get(tp.topic());
      if (t == null || KafkaErrors.topicUnavailable(t.errorCode())) {
        String why = t == null ? "not in the broker's answer" : KafkaErrors.name(t.errorCode());
        window.failPartition(
            tp, WireProducer.Outcome.topicUnavailable("topic " + tp.topic() + ": " + why));
      }
    }

    Map<Integer, Map<TopicPartition, List<Integer>>> byLeader = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, ArrayDeque<Integer>> e : window.pending.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      TopicPartition tp = e.getKey();
      if (!transactions.maySend(tp)) {
        failure = failure == null ? tp + ": waits for the producer epoch bump" : failure;
        continue;
      }
      int leader = metadata.leaderOf(tp);
      if (leader < 0 || metadata.broker(leader) == null) {
        metadata.requestUpdate();
        failure = "no leader for " + tp;
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
      if (!transactions.hasProducerId()) {
        // Another leader's answer cost us the producer id: no batch goes out without one (the
        // broker would take it as a plain, non-idempotent write).
        return failure == null ? "producer id lost" : failure;
      }
      MetadataMessage.Broker leader = metadata.broker(e.getKey());
      String result;
      try {
        result = produce(leader, e.getValue(), window);
      } catch (AuthenticationException ex) {
        // A leader that refuses this client (its certificate does not name the address the
        // broker advertises, say) refuses it again: the window fails at once, as at bootstrap.
        e.getValue().keySet().forEach(transactions::unresolved);
        client.dropSession(ProducerMetadata.address(leader));
        throw ex;
      } catch (IOException ex) {
        // This leader only: the others' batches go on; its own wait for the next round. They may
        // be written: they are re-sent under the same id, epoch and sequences before anything
        // changes those.
        e.getValue().keySet().forEach(transactions::unresolved);
        LOG.debug("produce to leader {} failed; reconnecting", leader.nodeId(), ex);
        client.dropSession(ProducerMetadata.address(leader));
        metadata.requestUpdate();
        result =
            "leader "
                + leader.nodeId()
                + " at "
                + ProducerMetadata.address(leader)
                + " (as the broker advertises it): "
                + describeLeader(ex);
      }
      failure = failure == null ? result : failure;
    }
    return failure;
  }

  private String produce(
      MetadataMessage.Broker leader, Map<TopicPartition, List<Integer>> batches, Window window)
      throws IOException {
    String address = ProducerMetadata.address(leader);
    NetworkClient.Session session = client.session(address);
    // The broker asked for a pause (a quota): it mutes the connection meanwhile, so a request sent
    // earlier would only wait there and could time out into a reconnect.
    pause(client.throttleDelayMs(address));
    if (closed) {
      throw new IOException("producer closed");
    }
    long now = clock.getAsLong();
    ProducerIdAndEpoch id = transactions.producerIdAndEpoch();
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
              id.producerId(),
              id.epoch(),
              transactions.sequence(tp),
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
    ProduceMessage.Response response = ProduceMessage.readResponse(new WireReader(answer));
    if (response.throttleTimeMs() > 0) {
      LOG.debug("broker {} throttles this client for {} ms", address, response.throttleTimeMs());
      client.throttle(address, response.throttleTimeMs());
    }
    Map<String, Map<Integer, ProduceMessage.PartitionResult>> results = response.results();

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
    String where = tp.toString();
    if (result == null) {
      transactions.unresolved(tp);
      return "broker did not answer for " + where;
    }
    transactions.resolved(tp);
    short code = result.errorCode();
    if (code == KafkaErrors.NONE || code == KafkaErrors.DUPLICATE_SEQUENCE_NUMBER) {
      // DUPLICATE: an earlier copy of this very batch (its answer was lost) is already written.
      window.acknowledge(tp, sent);
      transactions.acknowledged(
          tp, sent.size(), code == KafkaErrors.NONE ? result.baseOffset() : -1);
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
    if (code == KafkaErrors.INVALID_TIMESTAMP) {
      refuseTimestamps(tp, sent, result, window, where + ": " + error);
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
    if (code == KafkaErrors.TOPIC_AUTHORIZATION_FAILED) {
      window.failPartition(
          tp, WireProducer.Outcome.topicUnavailable("topic " + tp.topic() + ": " + error));
      return null;
    }
    if (code == KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE && compression != Compression.NONE) {
      LOG.warn("{} does not take {} batches; sending uncompressed", where, compression);
      compression = Compression.NONE;
      return null;
    }
    if (KafkaErrors.producerStateLost(code)) {
      LOG.warn(
          "{}: broker lost or fenced producer id {} epoch {} ({}); bumping the epoch once the"
              + " batches in doubt are resolved",
          where,
          transactions.producerIdAndEpoch().producerId(),
          transactions.producerIdAndEpoch().epoch(),
          error);
      transactions.producerStateError(tp, code, result.logStartOffset());
    } else if (KafkaErrors.staleMetadata(code)) {
      metadata.requestUpdate();
    }
    return where + ": " + error;
  }

  /**
   * The broker refused the batch for the timestamps of the records it names (the whole batch is
   * refused for them): only those fail, for good; the rest goes again under the same sequence
   * numbers, so a host's records the broker takes are never lost with those it never will. When the
   * broker names none, halves of the batch find them.
   */
  private static void refuseTimestamps(
      TopicPartition tp,
      List<Integer> sent,
      ProduceMessage.PartitionResult result,
      Window window,
      String error) {
    List<Integer> bad = new ArrayList<>();
    for (int i : result.badRecords()) {
      if (i >= 0 && i < sent.size()) {
        bad.add(sent.get(i));
      }
    }
    WireProducer.Outcome refused = WireProducer.Outcome.timestampRefused(error);
    if (!bad.isEmpty() && bad.size() < sent.size()) {
      window.reject(tp, bad, refused);
    } else if (bad.isEmpty() && sent.size() > 1) {
      window.batchLimit.put(tp, sent.size() / 2);
    } else {
      window.reject(tp, sent, refused);
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
}
