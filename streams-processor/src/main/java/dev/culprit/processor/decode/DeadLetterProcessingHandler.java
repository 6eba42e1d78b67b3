package dev.culprit.processor.decode;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of defence: a processor that throws on a record (a bug meeting unexpected data)
 * turns the source record into a dead letter (stage {@code process:<node>}) and processing goes on,
 * rather than the stream thread dying on the same record again and again. Expected failures
 * (undecodable records, failing rules) never get here: they become dead letters where they happen.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private ProcessorMetrics metrics;
  private String topic = Topics.DEAD_LETTER.name();

  @Override
  public void configure(Map<String, ?> configs) {
    // The dead-letter topic is part of the contract; only the counters come from the processor.
    if (configs.get(CulpritProcessor.METRICS_PROPERTY) instanceof ProcessorMetrics m) {
      metrics = m;
    }
    // A replay on the cluster writes its dead letters to a topic of its run.
    if (configs.get(CulpritProcessor.DEAD_LETTER_TOPIC_PROPERTY) instanceof String t) {
      topic = t;
    }
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception error) {
    LOG.error(
        "processor {} failed on {}-{}@{}; the record goes to {}",
        context.processorNodeId(),
        context.topic(),
        context.partition(),
        context.offset(),
        topic,
        error);
    if (metrics != null) {
      metrics.deadLettered("process");
    }
    return Response.resume(List.of(deadLetter(topic, context, error)));
  }

  static ProducerRecord<byte[], byte[]> deadLetter(
      String topic, ErrorHandlerContext context, Exception error) {
    byte[] key = context.sourceRawKey();
    byte[] value = context.sourceRawValue();
    DeadLetter.Builder letter =
        DeadLetter.newBuilder()
            .setSourceTopic(context.topic() == null ? "" : context.topic())
            .setPartition(context.partition())
            .setOffset(context.offset())
            .setRecordTimestampMs(context.timestamp())
            .setKey(DeadLetters.bounded(key))
            .setStage("process:" + context.processorNodeId())
            .setReason(DeadLetters.boundedReason(String.valueOf(error)))
            .setExceptionClass(error.getClass().getName());
    DeadLetters.withValue(letter, value);
    return new ProducerRecord<>(topic, key, Topics.DEAD_LETTER.valueSerde().encode(letter.build()));
  }
}
