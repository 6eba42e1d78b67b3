package dev.culprit.processor;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a result cannot be written. Kafka Streams' default fails the task, and the
 * replaced stream thread recomputes the same record and fails on it again, forever. So:
 *
 * <ul>
 *   <li>a record the broker can never take (too large) or that cannot be serialized is logged,
 *       counted and skipped: retrying cannot change the outcome, and one lost result beats a
 *       processor that stops judging every host;
 *   <li>anything else (authorization, a missing topic, a broker gone for longer than the producer's
 *       retries) fails the thread: it is the environment, which a new thread may find fixed, and
 *       {@link ThreadDeaths} stops the instance if it is not.
 * </ul>
 *
 * <p>Under exactly-once (the default) a failed send has already doomed the producer's transaction:
 * skipping the record does not save the task, which aborts, and the thread dies and is replaced
 * until {@link ThreadDeaths} stops the instance with the error. That is why every record the
 * topology writes is bounded (dead letters keep at most 64 KiB of the original value); the skip
 * helps where a deployment overrides the guarantee to at-least-once, and the log line names the
 * result that did not fit either way.
 */
public final class ProductionErrorHandler implements ProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProductionErrorHandler.class);
  private static final AtomicLong SKIPPED = new AtomicLong();

  /** Results skipped because they could never be written, since the JVM started. */
  public static long skipped() {
    return SKIPPED.get();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    // Nothing to configure.
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception error) {
    if (error instanceof RecordTooLargeException) {
      long n = SKIPPED.incrementAndGet();
      LOG.error(
          "result of {} for {} ({} bytes) is larger than the broker or producer accepts; skipped"
              + " ({} results skipped so far), processing goes on",
          context.processorNodeId(),
          record.topic(),
          size(record),
          n,
          error);
      return Response.resume();
    }
    LOG.error(
        "cannot write a result of {} to {}: {}; the stream thread fails",
        context.processorNodeId(),
        record.topic(),
        error.toString());
    return Response.fail();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception error,
      SerializationExceptionOrigin origin) {
    long n = SKIPPED.incrementAndGet();
    LOG.error(
        "result of {} for {} does not serialize ({}); skipped ({} results skipped so far)",
        context.processorNodeId(),
        record.topic(),
        origin,
        n,
        error);
    return Response.resume();
  }

  private static long size(ProducerRecord<byte[], byte[]> record) {
    return (record.key() == null ? 0 : record.key().length)
        + (record.value() == null ? 0 : record.value().length);
  }
}
