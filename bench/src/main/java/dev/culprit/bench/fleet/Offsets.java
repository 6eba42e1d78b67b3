package dev.culprit.bench.fleet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** How far a consumer group (a Streams application) has read the sample topics. */
final class Offsets {

  private final Admin admin;
  private final List<String> topics;

  Offsets(Admin admin, List<String> topics) {
    this.admin = admin;
    this.topics = topics;
  }

  /** Records in the topics: the sum of their end offsets. */
  long end() throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get()
        .forEach(
            (name, description) ->
                description
                    .partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    long sum = 0;
    for (var info : admin.listOffsets(request).all().get().values()) {
      sum += info.offset();
    }
    return sum;
  }

  /** Records the group has committed as processed in the topics. */
  long committed(String group) throws ExecutionException, InterruptedException {
    long sum = 0;
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (e.getValue() != null && topics.contains(e.getKey().topic())) {
        sum += e.getValue().offset();
      }
    }
    return sum;
  }
}
