package dev.culprit.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What tests of producers against a real broker do with it besides producing. */
public final class TestClients {

  private TestClients() {}

  /**
   * The values of every record {@code topic} holds now, as UTF-8 text, partition by partition.
   *
   * @throws IllegalStateException when the topic could not be read to its end within {@code wait}
   * @param login client properties (a SASL login, say) besides the bootstrap servers
   */
  public static List<String> values(
      String bootstrapServers, Map<String, String> login, String topic, Duration wait) {
    Properties p = new Properties();
    p.putAll(login);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, wait).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, wait);
      long deadline = System.nanoTime() + wait.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      for (TopicPartition tp : partitions) {
        if (consumer.position(tp) < end.get(tp)) {
          // A partial list would let an assertion that a value is absent pass unread.
          throw new IllegalStateException(
              tp + " not read to its end (" + end.get(tp) + ") within " + wait);
        }
      }
    }
    return out;
  }

  /** Creates (or updates) the SCRAM credentials of {@code user}, one mechanism per request. */
  public static void scramUser(
      Admin admin, String user, String password, List<ScramMechanism> mechanisms)
      throws InterruptedException, ExecutionException, TimeoutException {
    // The broker refuses two credentials of one user in one request.
    for (ScramMechanism m : mechanisms) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(m, 4096), password)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
