package dev.culprit.processor;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends sample records to their contract topics on a real broker, as collectors do. */
public final class SampleProducer implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;

  public SampleProducer(EmbeddedBroker broker) {
    producer = OrderedProducer.create(broker.bootstrapServers());
  }

  /** Each sample to the topic of its type, keyed by its host (the first field). */
  public void send(List<SpecificRecord> samples) {
    for (SpecificRecord sample : samples) {
      Topic<?> topic =
          Topics.samples().stream()
              .filter(t -> t.valueType().isInstance(sample))
              .findFirst()
              .orElseThrow();
      producer.send(
          new ProducerRecord<>(topic.name(), (String) sample.get(0), encode(topic, sample)));
    }
  }

  /** The raw producer, for records that are not samples (poison records, say). */
  public KafkaProducer<String, byte[]> raw() {
    return producer;
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> byte[] encode(Topic<V> topic, SpecificRecord sample) {
    return topic.valueSerde().encode((V) sample);
  }
}
