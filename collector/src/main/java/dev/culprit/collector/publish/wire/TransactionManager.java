package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotence state of the producer (named after the Java client's class that keeps it, though
 * there are no transactions here): the producer id and epoch, and each partition's next sequence
 * number.
 */
final class TransactionManager {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionManager.class);

  private final Map<TopicPartition, Integer> nextSequence = new HashMap<>();
  private ProducerIdAndEpoch producerIdAndEpoch = ProducerIdAndEpoch.NONE;

  boolean hasProducerId() {
    return producerIdAndEpoch.isValid();
  }

  ProducerIdAndEpoch producerIdAndEpoch() {
    return producerIdAndEpoch;
  }

  int sequence(TopicPartition tp) {
    return nextSequence.getOrDefault(tp, 0);
  }

  /** {@code count} records of {@code tp} were acknowledged. */
  void acknowledged(TopicPartition tp, int count) {
    nextSequence.put(tp, advance(sequence(tp), count));
  }

  /** Forgets the producer id and every sequence: the next batch goes out under a new id. */
  void reset() {
    producerIdAndEpoch = ProducerIdAndEpoch.NONE;
    nextSequence.clear();
  }

  /** Sequence numbers wrap to 0 after Integer.MAX_VALUE, as the broker expects. */
  static int advance(int sequence, int count) {
    long next = (long) sequence + count;
    return next > Integer.MAX_VALUE ? (int) (next - Integer.MAX_VALUE - 1) : (int) next;
  }

  /** Asks {@code session}'s broker for a producer id and epoch. */
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
      throw new IOException(
          "broker "
              + session.connection().address()
              + " gives no producer id: "
              + KafkaErrors.name(r.errorCode()));
    }
    producerIdAndEpoch = new ProducerIdAndEpoch(r.producerId(), r.producerEpoch());
    nextSequence.clear();
    LOG.debug("producer id {} epoch {}", r.producerId(), r.producerEpoch());
  }
}
