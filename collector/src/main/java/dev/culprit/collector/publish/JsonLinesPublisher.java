package dev.culprit.collector.publish;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.collector.spi.Sample;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints each record as one line of JSON ({@code culprit collect --once --json}): a {@code topic}
 * field naming its topic, then the record's fields as {@link JsonRenderer} renders them. Stamps
 * {@code seq} like the Kafka publisher, so the output is what would have been sent: each record is
 * encoded as the agent sends it and read back with the processor's serde (so this mode alone loads
 * Avro and Jackson).
 */
public final class JsonLinesPublisher implements Publisher {

  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesPublisher.class);

  private final PrintStream out;
  private final SeqStamper stamper = new SeqStamper();
  private long rejected;
  private boolean closed;

  /** Writes to {@code out}, which it flushes but never closes (it is usually stdout). */
  public JsonLinesPublisher(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void publish(List<Sample> samples) {
    if (closed) {
      throw new IllegalStateException("publisher is closed");
    }
    for (Sample sample : samples) {
      ObjectNode fields;
      try {
        byte[] bytes = stamper.stampAndEncode(sample, Integer.MAX_VALUE);
        Topic<?> topic =
            Topics.byName(sample.topic().name())
                .orElseThrow(
                    () -> new IllegalArgumentException("no such topic " + sample.topic().name()));
        fields = JsonRenderer.toNode(topic.valueSerde().decode(bytes));
      } catch (RuntimeException e) {
        // Refused by the encoder (IllegalArgumentException) or, should it ever happen, by the
        // serde reading it back (a SerializationException): one record is not printed, the rest
        // are.
        rejected++;
        LOG.error("record not printed: {}", e.getMessage());
        continue;
      }
      ObjectNode line = JsonNodeFactory.instance.objectNode();
      line.put("topic", sample.topic().name());
      line.setAll(fields);
      out.println(line);
    }
    out.flush();
  }

  @Override
  public synchronized PublisherStats stats() {
    return new PublisherStats(0, 0, 0, 0, 0, rejected);
  }

  @Override
  public synchronized boolean flush(Duration timeout) {
    out.flush();
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
    out.flush();
  }
}
