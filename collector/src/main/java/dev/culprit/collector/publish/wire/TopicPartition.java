package dev.culprit.collector.publish.wire;

/** A partition of a topic (Kafka's {@code org.apache.kafka.common.TopicPartition}). */
record TopicPartition(String topic, int partition) {

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
