package dev.culprit.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.KafkaSchemaStore;
import dev.culprit.schemas.SchemaStoreException;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link KafkaSchemaStore} against a real broker: hits, misses, garbage, no topic, no broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaSchemaStoreTest {

  private static final Duration LONG = Duration.ofHours(1);
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedBroker.startTemporary();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void findsASchemaPublishedToTheTopicAndKeepsIt() throws Exception {
    Schema schema = schema("Hit");
    publish(SchemaTopic.key(schema), SchemaTopic.value(schema));
    try (KafkaSchemaStore store = store(LONG)) {
      assertThat(store.findByFingerprint(SchemaTopic.fingerprint(schema))).isEqualTo(schema);
      assertThat(store.findByFingerprint(SchemaTopic.fingerprint(schema))).isEqualTo(schema);
    }
  }

  @Test
  void aMissIsRememberedForItsTtlAndLookedUpAgainAfterwards() throws Exception {
    Schema late = schema("Late");
    long fp = SchemaTopic.fingerprint(late);
    try (KafkaSchemaStore remembering = store(LONG);
        KafkaSchemaStore forgetting = store(Duration.ZERO)) {
      assertThat(remembering.findByFingerprint(fp)).isNull();
      assertThat(forgetting.findByFingerprint(fp)).isNull();

      publish(SchemaTopic.key(late), SchemaTopic.value(late));

      assertThat(remembering.findByFingerprint(fp))
          .as("within the TTL a miss is answered without reading Kafka")
          .isNull();
      assertThat(forgetting.findByFingerprint(fp))
          .as("after the TTL the topic is read again, from where it stopped")
          .isEqualTo(late);
    }
  }

  @Test
  void garbageFingerprintsAndRecordsAreMissesNotErrors() throws Exception {
    Schema real = schema("Lied");
    // A record whose key is not its schema's fingerprint, and records that are not schemas.
    publish(SchemaTopic.key(12345L), SchemaTopic.value(real));
    publish("not-hex", SchemaTopic.value(real));
    publish(SchemaTopic.key(67890L), "{not json".getBytes(StandardCharsets.UTF_8));
    try (KafkaSchemaStore store = store(LONG)) {
      assertThat(store.findByFingerprint(12345L)).as("a key that lies is ignored").isNull();
      assertThat(store.findByFingerprint(67890L)).isNull();
      assertThat(store.findByFingerprint(0xdeadbeefL)).isNull();
      // The records before the good one did not stop the read.
      Schema good = schema("AfterGarbage");
      publish(SchemaTopic.key(good), SchemaTopic.value(good));
      assertThat(store.findByFingerprint(SchemaTopic.fingerprint(good))).isEqualTo(good);
    }
  }

  @Test
  void aMissingTopicIsAClearErrorRememberedForTheTtl() throws Exception {
    try (EmbeddedBroker bare = EmbeddedBroker.startTemporary()) {
      try (var admin = bare.admin()) {
        admin.deleteTopics(List.of(SchemaTopic.NAME)).all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaSchemaStore store =
          new KafkaSchemaStore(
              Map.of("bootstrap.servers", bare.bootstrapServers()), Duration.ofSeconds(5), LONG)) {
        // The broker may still list the deleted topic for a moment: ask until it says it is gone.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SchemaStoreException error = null;
        while ((error == null || !error.getMessage().contains("does not exist"))
            && System.nanoTime() < deadline) {
          try (KafkaSchemaStore fresh =
              new KafkaSchemaStore(
                  Map.of("bootstrap.servers", bare.bootstrapServers()),
                  Duration.ofSeconds(5),
                  LONG)) {
            fresh.findByFingerprint(1L);
          } catch (SchemaStoreException e) {
            error = e;
          }
        }
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains(SchemaTopic.NAME).contains("does not exist");

        assertThatThrownBy(() -> store.findByFingerprint(2L))
            .isInstanceOf(SchemaStoreException.class)
            .hasMessageContaining("does not exist");
        long before = System.nanoTime();
        assertThatThrownBy(() -> store.findByFingerprint(3L))
            .as("remembered: no second read for another fingerprint")
            .isInstanceOf(SchemaStoreException.class)
            .hasMessageContaining("does not exist");
        assertThat(Duration.ofNanos(System.nanoTime() - before))
            .as("answered from memory, far below one read's timeout")
            .isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void anUnreachableBrokerIsAnErrorWithinTheReadTimeout() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try (KafkaSchemaStore store =
        new KafkaSchemaStore(
            Map.of("bootstrap.servers", "127.0.0.1:" + port), Duration.ofSeconds(2), LONG)) {
      assertThatThrownBy(() -> store.findByFingerprint(SchemaTopic.fingerprint(schema("X"))))
          .isInstanceOf(SchemaStoreException.class)
          .hasMessageContaining(SchemaTopic.NAME);
    }
  }

  @Test
  void keysAreSixteenLowerCaseHexDigits() {
    assertThat(SchemaTopic.key(0L)).isEqualTo("0000000000000000");
    assertThat(SchemaTopic.key(-1L)).isEqualTo("ffffffffffffffff");
    assertThat(SchemaTopic.parseKey("ffffffffffffffff")).isEqualTo(-1L);
    long fp = SchemaTopic.fingerprint(Topics.PROBE.valueSchema());
    assertThat(SchemaTopic.parseKey(SchemaTopic.key(fp))).isEqualTo(fp);
  }

  private static KafkaSchemaStore store(Duration missTtl) {
    return new KafkaSchemaStore(
        Map.of("bootstrap.servers", broker.bootstrapServers()), Duration.ofSeconds(10), missTtl);
  }

  private static Schema schema(String name) {
    return SchemaBuilder.record(name)
        .namespace("dev.culprit.test")
        .fields()
        .requiredString("host")
        .optionalLong("extra")
        .endRecord();
  }

  private static void publish(String key, byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> producer =
        OrderedProducer.create(broker.bootstrapServers())) {
      producer.send(new ProducerRecord<>(SchemaTopic.NAME, key, value)).get(30, TimeUnit.SECONDS);
    }
  }
}
