package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotence state of the producer (named after the Java client's class that keeps it, though
 * there are no transactions here): the producer id and epoch, each partition's next sequence
 * number, the partitions whose last batch is unresolved (sent, answer lost), and the last offset
 * the broker acknowledged on each partition.
 *
 * <p>After a producer-state error on one partition it does what the Java client does (KIP-360): the
 * batches whose answers were lost are resolved first, under the id and epoch they were sent with (a
 * re-send is then recognised as a duplicate); only then is the epoch bumped. An idempotent producer
 * bumps its epoch itself (the broker answers InitProducerId without a transactional id with a new
 * id, whatever id and epoch it names): every partition's sequence restarts at 0 under the new
 * epoch, which the broker accepts, and it still recognises the old epoch's batches. Only a fenced
 * id or an exhausted epoch takes a new id.
 */
final class TransactionManager {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionManager.class);

  private final Map<TopicPartition, Integer> nextSequence = new HashMap<>();
  private final Set<TopicPartition> unresolved = new HashSet<>();
  private final Map<TopicPartition, Long> lastAckedOffset = new HashMap<>();
  private final AtomicLong dataLossEvents = new AtomicLong();
  private ProducerIdAndEpoch producerIdAndEpoch = ProducerIdAndEpoch.NONE;
  private boolean epochBumpNeeded;
  private boolean newIdNeeded;

  boolean hasProducerId() {
    return producerIdAndEpoch.isValid();
  }

  ProducerIdAndEpoch producerIdAndEpoch() {
    return producerIdAndEpoch;
  }

  int sequence(TopicPartition tp) {
    return nextSequence.getOrDefault(tp, 0);
  }

  /** A batch of {@code tp} was sent and its answer lost: it must be resolved before a bump. */
  void unresolved(TopicPartition tp) {
    unresolved.add(tp);
  }

  /** The broker answered for {@code tp}, whatever it said. */
  void resolved(TopicPartition tp) {
    unresolved.remove(tp);
  }

  /**
   * Whether batches of {@code tp} may go out now: while an epoch bump waits, only the unresolved
   * partitions are sent (under the old epoch), to learn whether their batches were written.
   */
  boolean maySend(TopicPartition tp) {
    return !epochBumpNeeded || unresolved.contains(tp);
  }

  /** Whether the producer id must be (re)initialised before the next batch. */
  boolean needsInit() {
    return !producerIdAndEpoch.isValid();
  }

  /**
   * Bumps the epoch when a producer-state error asked for it and no batch is in doubt any more;
   * before that, only the partitions in doubt are sent.
   */
  void bumpEpochIfReady() {
    if (!epochBumpNeeded || !unresolved.isEmpty()) {
      return;
    }
    epochBumpNeeded = false;
    nextSequence.clear();
    short epoch = producerIdAndEpoch.epoch();
    if (newIdNeeded || !producerIdAndEpoch.isValid() || epoch == Short.MAX_VALUE) {
      newIdNeeded = false;
      producerIdAndEpoch = ProducerIdAndEpoch.NONE; // a new id, from the broker
      return;
    }
    producerIdAndEpoch =
        new ProducerIdAndEpoch(producerIdAndEpoch.producerId(), (short) (epoch + 1));
    LOG.info(
        "producer id {}: epoch bumped to {}; sequences restart at 0",
        producerIdAndEpoch.producerId(),
        producerIdAndEpoch.epoch());
  }

  /**
   * {@code count} records of {@code tp} were acknowledged at {@code baseOffset} (-1 when the broker
   * did not say). An offset at or below one acknowledged before means the broker lost acknowledged
   * records (an unclean leader election, a topic deleted and re-created): counted and logged.
   */
  void acknowledged(TopicPartition tp, int count, long baseOffset) {
    nextSequence.put(tp, advance(sequence(tp), count));
    unresolved.remove(tp);
    if (baseOffset >= 0) {
      Long before = lastAckedOffset.get(tp);
      if (before != null && baseOffset <= before) {
        dataLoss(
            tp,
            "the broker wrote a batch at offset "
                + baseOffset
                + " although offset "
                + before
                + " was acknowledged before");
      }
      lastAckedOffset.put(tp, baseOffset + count - 1);
    }
  }

  /**
   * The broker answered {@code tp} with a producer-state error. Returns whether it counts as lost
   * acknowledged data: the broker forgot this producer's sequence on a partition it acknowledged
   * records on, and retention (a log start beyond the last acknowledged offset) does not explain
   * it.
   */
  void producerStateError(TopicPartition tp, short code, long logStartOffset) {
    Long acked = lastAckedOffset.get(tp);
    boolean explainedByRetention =
        code == KafkaErrors.UNKNOWN_PRODUCER_ID && acked != null && logStartOffset > acked;
    if (acked != null
        && !explainedByRetention
        && (code == KafkaErrors.OUT_OF_ORDER_SEQUENCE_NUMBER
            || code == KafkaErrors.UNKNOWN_PRODUCER_ID)) {
      dataLoss(
          tp,
          "the broker answered "
              + KafkaErrors.name(code)
              + " after acknowledging records up to offset "
              + acked
              + " (log start "
              + logStartOffset
              + ")");
    }
    if (code == KafkaErrors.INVALID_PRODUCER_EPOCH || code == KafkaErrors.PRODUCER_FENCED) {
      // Another producer took this id's epoch: bumping it would fence them in turn. A new id,
      // once the batches in doubt are resolved under the old one.
      newIdNeeded = true;
    }
    epochBumpNeeded = true;
  }

  /** Records acknowledged by the broker and later lost by it, as far as answers show. */
  long dataLossEvents() {
    return dataLossEvents.get();
  }

  /**
   * Forgets the producer id and every sequence: the next batch goes out under a new id (the state
   * of a window given up with batches unresolved).
   */
  void reset() {
    producerIdAndEpoch = ProducerIdAndEpoch.NONE;
    nextSequence.clear();
    unresolved.clear();
    epochBumpNeeded = false;
    newIdNeeded = false;
  }

  /** Sequence numbers wrap to 0 after Integer.MAX_VALUE, as the broker expects. */
  static int advance(int sequence, int count) {
    long next = (long) sequence + count;
    return next > Integer.MAX_VALUE ? (int) (next - Integer.MAX_VALUE - 1) : (int) next;
  }

  /** Asks {@code session}'s broker for a new producer id and epoch. */
  void initProducerId(NetworkClient.Session session) throws IOException {
    ByteBuffer answer =
        session
            .connection()
            .call(
                InitProducerIdMessage.KEY,
                session.init(),
                w -> InitProducerIdMessage.writeRequest(w, session.init()));
    InitProducerIdMessage.Response r = InitProducerIdMessage.readResponse(new WireReader(answer));
    if (r.errorCode() != KafkaErrors.NONE) {
      throw new BrokerErrorException(
          "broker "
              + session.connection().address()
              + " gives no producer id: "
              + KafkaErrors.name(r.errorCode()));
    }
    LOG.debug("producer id {} epoch {}", r.producerId(), r.producerEpoch());
    producerIdAndEpoch = new ProducerIdAndEpoch(r.producerId(), r.producerEpoch());
    nextSequence.clear();
    unresolved.clear();
    epochBumpNeeded = false;
    newIdNeeded = false;
  }

  private void dataLoss(TopicPartition tp, String what) {
    long n = dataLossEvents.incrementAndGet();
    LOG.warn(
        "{}: records the broker acknowledged are lost: {} ({} such events so far); an unclean"
            + " leader election or a re-created topic does this",
        tp,
        what,
        n);
  }
}
