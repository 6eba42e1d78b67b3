package dev.culprit.broker;

import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the contract topics that are missing (those of {@link Topics} and the compacted {@link
 * SchemaTopic}), on the embedded broker or on an external cluster, and warns about existing ones
 * whose partition count differs from the settings.
 */
public final class ContractTopics {

  private static final Logger LOG = LoggerFactory.getLogger(ContractTopics.class);

  private ContractTopics() {}

  /** The topics as they would be created with these settings. */
  public static List<NewTopic> newTopics(TopicSettings settings) {
    List<NewTopic> topics = new ArrayList<>();
    for (Topic<?> topic : Topics.all()) {
      boolean sample = topic.kind() == Topic.Kind.SAMPLE;
      Duration retention = sample ? settings.sampleRetention() : settings.resultRetention();
      topics.add(
          new NewTopic(
                  topic.name(),
                  sample ? settings.samplePartitions() : settings.resultPartitions(),
                  settings.replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.RETENTION_MS_CONFIG,
                      Long.toString(retention.toMillis()),
                      // Replays need records by time; the collector's sample time is the truth.
                      TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                      "CreateTime")));
    }
    // Schemas are few and read whole by a reader that meets a fingerprint it does not know: one
    // partition, compacted to one record per fingerprint, kept for as long as records may use it.
    topics.add(
        new NewTopic(SchemaTopic.NAME, 1, settings.replicationFactor())
            .configs(
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    return topics;
  }

  /**
   * Creates every missing contract topic and waits for it.
   *
   * @return the names of the topics created now
   */
  public static List<String> ensure(Admin admin, TopicSettings settings, Duration timeout)
      throws InterruptedException, TimeoutException {
    try {
      Set<String> existing =
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing =
          newTopics(settings).stream().filter(t -> !existing.contains(t.name())).toList();
      List<String> created = new ArrayList<>();
      if (!missing.isEmpty()) {
        var result = admin.createTopics(missing);
        for (NewTopic topic : missing) {
          try {
            result.values().get(topic.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            created.add(topic.name());
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw new IllegalStateException(
                  "cannot create topic " + topic.name() + ": " + e.getCause().getMessage(),
                  e.getCause());
            }
          }
        }
      }
      warnOnPartitionMismatch(admin, timeout);
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot list topics: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * A check only, so it never fails the start: a broker that has just created the topics may not
   * serve their metadata yet (UnknownTopicOrPartition, retriable), so it asks again until the
   * timeout, then says it could not check.
   */
  private static void warnOnPartitionMismatch(Admin admin, Duration timeout)
      throws InterruptedException {
    List<String> sampleNames = Topics.samples().stream().map(Topic::name).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, TopicDescription> described;
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        described =
            admin.describeTopics(sampleNames).allTopicNames().get(left, TimeUnit.MILLISECONDS);
        break;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() >= deadline) {
          LOG.warn(
              "could not check the sample topics' partition counts: {}", e.getCause().getMessage());
          return;
        }
        Thread.sleep(100); // back-off between attempts, not a wait for a condition
      } catch (TimeoutException e) {
        LOG.warn("could not check the sample topics' partition counts within {}", timeout);
        return;
      }
    }
    long distinct =
        described.values().stream().mapToInt(d -> d.partitions().size()).distinct().count();
    if (distinct > 1) {
      LOG.warn(
          "sample topics have different partition counts ({}); the processor needs them"
              + " co-partitioned: recreate them with the same count",
          described.values().stream()
              .map(d -> d.name() + "=" + d.partitions().size())
              .sorted()
              .toList());
    }
  }
}
