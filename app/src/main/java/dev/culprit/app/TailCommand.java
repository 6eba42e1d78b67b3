package dev.culprit.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.KafkaSchemaStore;
import dev.culprit.schemas.RecordDecodeException;
import dev.culprit.schemas.Topic;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code culprit tail}: decode culprit topics and print one JSON object per record. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Decodes culprit topics and prints each record as one JSON line on stdout (jq-friendly).",
      "TOPIC is a full name (culprit.samples.interface) or its last part (interface, packet-loss,"
          + " oom, transitions, fleet, deadletter). Without TOPIC: the cause transitions (a"
          + " record when a cause starts, reminders while it lasts, one when it ends) and fleet"
          + " incidents; with --every-window, every window's causes.",
      "Records that cannot be decoded are reported on stderr with topic, partition and offset, and"
          + " skipped."
    })
final class TailCommand implements Callable<Integer> {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  @Parameters(
      arity = "0..*",
      paramLabel = "TOPIC",
      description = "Topics to read (default: transitions and fleet).")
  List<String> topics = new ArrayList<>();

  @Option(
      names = "--every-window",
      description =
          "Without TOPIC: read every window's root causes (packet-loss, oom, fleet) instead of the"
              + " transitions.")
  boolean everyWindow;

  @Mixin KafkaClientOptions kafkaClient;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest retained record instead of now.")
  boolean fromBeginning;

  @Option(
      names = "--max",
      paramLabel = "N",
      description = "Stop after N records (exit 1 if the timeout comes first).")
  Long max;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Stop after this long (e.g. 30s). Default: run until Ctrl-C.")
  Duration timeout;

  @Option(
      names = "--with-metadata",
      description = "Wrap each record as {topic, partition, offset, timestamp, key, value}.")
  boolean withMetadata;

  private KafkaSchemaStore schemas;
  private final Map<Topic<?>, AvroSerde<?>> serdes = new HashMap<>();

  @Override
  public Integer call() {
    List<Topic<?>> resolved =
        !topics.isEmpty()
            ? topics.stream().map(TopicNames::resolve).distinct().toList()
            : everyWindow ? EventPrinter.EVERY_WINDOW_TOPICS : EventPrinter.TRANSITION_TOPICS;
    KafkaAccess kafka = kafkaClient.resolve();
    String servers = kafka.bootstrapServers();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    long printed = 0;
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    Duration connectTimeout =
        timeout == null || timeout.compareTo(CONNECT_TIMEOUT) > 0 ? CONNECT_TIMEOUT : timeout;
    try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, CONNECT_TIMEOUT);
        KafkaSchemaStore schemaStore =
            new KafkaSchemaStore(KafkaSchemaStore.clientProperties(kafka.clientProperties()))) {
      schemas = schemaStore;
      List<TopicPartition> partitions = partitions(consumer, resolved, servers, connectTimeout);
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix "now" before any record is produced
      }
      while (System.nanoTime() < deadline && (max == null || printed < max)) {
        long leftMs = Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000));
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(leftMs))) {
          if (max != null && printed >= max) {
            break;
          }
          String line = render(r);
          if (line != null) {
            out.println(line);
            printed++;
          }
        }
        out.flush();
      }
    } catch (org.apache.kafka.common.errors.AuthenticationException e) {
      // Retrying cannot help: the password or the mechanism is wrong.
      throw new UserException("Kafka at " + servers + " refused the login: " + e.getMessage());
    }
    out.flush();
    if (max != null && printed < max) {
      System.err.println(
          "culprit tail: only " + printed + " of " + max + " records within " + timeout);
      return 1;
    }
    return 0;
  }

  /**
   * The topic's serde, also decoding records of schemas newer than this build (a collector upgraded
   * first) with their schemas from {@code culprit.schemas}.
   */
  private AvroSerde<?> serde(Topic<?> topic) {
    return serdes.computeIfAbsent(topic, t -> t.valueSerde().resolvingUnknownWith(schemas));
  }

  private String render(ConsumerRecord<String, byte[]> r) {
    Topic<?> topic = TopicNames.resolve(r.topic());
    IndexedRecord value;
    try {
      value = (IndexedRecord) serde(topic).deserialize(r.topic(), r.value());
    } catch (RecordDecodeException e) {
      System.err.println(
          "culprit tail: skipped "
              + r.topic()
              + "-"
              + r.partition()
              + "@"
              + r.offset()
              + ": "
              + e.getMessage());
      return null;
    }
    if (value == null) {
      return null;
    }
    if (!withMetadata) {
      return JsonRenderer.toJson(value);
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("topic", r.topic());
    node.put("partition", r.partition());
    node.put("offset", r.offset());
    node.put("timestamp", r.timestamp());
    node.put("key", r.key());
    node.set("value", JsonRenderer.toNode(value));
    return node.toString();
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaAccess kafka, Duration apiTimeout) {
    Properties p = kafka.clientProperties();
    // tail reads with assign(): no group, nothing committed, any number can run at once.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Results written in transactions (exactly-once processor) show only once committed.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Seeks and position look-ups on a loaded broker may take a while; only the first contact
    // (partitionsFor) is bounded by the user's --timeout, to fail fast when nobody answers.
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(apiTimeout.toMillis()));
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitions(
      KafkaConsumer<String, byte[]> consumer,
      List<Topic<?>> topics,
      String servers,
      Duration connectTimeout) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (Topic<?> topic : topics) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic.name(), connectTimeout);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw new UserException(
            "no Kafka broker answered at "
                + servers
                + " within "
                + connectTimeout.toSeconds()
                + "s; start one with `culprit up` or pass --bootstrap-servers (a broker that"
                + " requires a login it was not given, e.g. that of another user's `culprit up`,"
                + " also stays silent: --kafka-config, or the same user and --data-dir)");
      }
      if (infos == null || infos.isEmpty()) {
        throw new UserException(
            "topic "
                + topic.name()
                + " does not exist at "
                + servers
                + "; is this a culprit cluster (culprit broker/up create the topics)?");
      }
      infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
    }
    return partitions;
  }
}
