package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.KraftNodes;
import dev.culprit.broker.TestClients;
import dev.culprit.collector.publish.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in producer against a real KRaft broker whose client listener requires SASL: PLAIN
 * users from the listener's JAAS config, SCRAM users created through the admin API.
 */
class SaslWireProducerTest {

  private static final String USER = "culprit-agent";
  private static final String PASSWORD = "right-password";
  private static final String TOPIC = "culprit-test.wire-sasl";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static EmbeddedBroker broker;
  private static int saslPort;

  @BeforeAll
  static void start() throws Exception {
    int plainPort = KraftNodes.freePort();
    saslPort = KraftNodes.freePort();
    String listeners =
        "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
    Map<String, String> o = new HashMap<>();
    o.put("listeners", listeners);
    o.put("advertised.listeners", listeners);
    o.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    o.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    o.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
            + USER
            + "=\""
            + PASSWORD
            + "\";");
    String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    o.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scram);
    o.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram);
    broker = EmbeddedBroker.startTemporary(plainPort, o);
    try (Admin admin = broker.admin()) {
      TestClients.scramUser(
          admin,
          USER,
          PASSWORD,
          List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512));
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
  void recordsAreDeliveredWithTheRightPassword(String mechanism) throws Exception {
    String marker = "sasl-" + mechanism;
    try (WireProducer producer = new WireProducer(settings(mechanism, PASSWORD, 30_000))) {
      WireProducer.Outcome[] outcomes;
      long deadline = System.nanoTime() + WAIT.toNanos();
      do {
        // The SCRAM credentials reach the broker's cache shortly after the admin call returns.
        outcomes = producer.send(List.of(SpoolRecord.of(TOPIC, 1L, "h", bytes(marker))));
      } while (!outcomes[0].ok() && System.nanoTime() < deadline);
      assertThat(outcomes).containsOnly(WireProducer.Outcome.OK);
    }
    assertThat(readValues()).contains(marker);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
  void aWrongPasswordIsAClearAuthenticationErrorAtOnceNotARetryLoop(String mechanism) {
    long started = System.nanoTime();
    WireProducer.Outcome[] outcomes;
    try (WireProducer producer = new WireProducer(settings(mechanism, "wrong-password", 60_000))) {
      outcomes = producer.send(List.of(SpoolRecord.of(TOPIC, 1L, "h", bytes("never"))));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("not retried until the 60 s delivery timeout")
        .isLessThan(Duration.ofSeconds(20));
    assertThat(outcomes[0].ok()).isFalse();
    assertThat(outcomes[0].permanent()).as("the records stay in the spool").isFalse();
    assertThat(outcomes[0].loginRefused()).as("a refusal, paced as one").isTrue();
    assertThat(outcomes[0].error())
        .contains("refuses SASL " + mechanism + " authentication of user " + USER)
        .contains("SASL_AUTHENTICATION_FAILED")
        .doesNotContain("wrong-password");
  }

  private static WireProducer.Settings settings(
      String mechanism, String password, long deliveryTimeoutMs) {
    return new WireProducer.Settings(
        List.of("127.0.0.1:" + saslPort),
        "culprit-test",
        Compression.ZSTD,
        3,
        10_000,
        deliveryTimeoutMs,
        50,
        500,
        new SaslCredentials(mechanism, USER, password),
        null);
  }

  private static List<String> readValues() {
    return TestClients.values(broker.bootstrapServers(), Map.of(), TOPIC, WAIT);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
