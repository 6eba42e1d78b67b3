package dev.culprit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.KraftNodes;
import dev.culprit.broker.TestCertificates;
import dev.culprit.broker.TestClients;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.wire.WireProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in client over the JDK's TLS against a real KRaft broker, configured the way an
 * operator writes a {@code --kafka-config} for the Java client (through {@link ProducerSettings}):
 * SSL and SASL_SSL listeners with a certificate made here by keytool, one whose certificate names
 * another host, and one that requires a client certificate.
 */
class TlsProducerTest {

  private static final String PASSWORD = "culprit-tls-test";
  private static final String USER = "culprit-agent";
  private static final String TOPIC = "culprit-test.wire-tls";

  @TempDir static Path dir;
  private static TestCertificates certs;
  private static EmbeddedBroker broker;
  private static final Map<String, Integer> ports = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    certs = new TestCertificates(dir, PASSWORD);
    assumeTrue(certs.available(), "this JDK has no keytool to make certificates");
    Path brokerKeys = certs.keyPair("broker", "localhost", "ip:127.0.0.1,dns:localhost");
    Path elsewhereKeys = certs.keyPair("elsewhere", "elsewhere", "dns:culprit-elsewhere.invalid");
    certs.keyPair("agent", "culprit-agent", null);
    certs.keyPair("stranger", "stranger", "ip:127.0.0.1");
    Path agentsTrusted = certs.trustStore("broker-trusts", "agent");

    List<String> names = List.of("PLAINTEXT", "SSL", "SASL_SSL", "ELSEWHERE", "MTLS");
    StringBuilder listeners = new StringBuilder();
    for (String name : names) {
      ports.put(name, KraftNodes.freePort());
      listeners.append(listeners.isEmpty() ? "" : ",");
      listeners.append(name).append("://127.0.0.1:").append(ports.get(name));
    }
    Map<String, String> o = new HashMap<>();
    o.put("listeners", listeners.toString());
    o.put("advertised.listeners", listeners.toString());
    o.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,ELSEWHERE:SSL,MTLS:SSL,CONTROLLER:PLAINTEXT");
    for (String name : List.of("SSL", "SASL_SSL")) {
      o.putAll(certs.listener(name, brokerKeys, null));
    }
    o.putAll(certs.listener("ELSEWHERE", elsewhereKeys, null));
    o.putAll(certs.listener("MTLS", brokerKeys, agentsTrusted));
    o.put("listener.name.mtls.ssl.client.auth", "required");
    o.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    o.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    broker = EmbeddedBroker.startTemporary(ports.get("PLAINTEXT"), o);
    try (Admin admin = broker.admin()) {
      TestClients.scramUser(admin, USER, PASSWORD, List.of(ScramMechanism.SCRAM_SHA_512));
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

  @Test
  void sslWithAPkcs12TrustStoreDeliversOnTheBuiltInClient() throws Exception {
    Map<String, String> c = ssl("SSL", certs.trustStore("agent-trusts", "broker"), "PKCS12");
    assertThat(deliver(c, "ssl-pkcs12")).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readValues()).contains("ssl-pkcs12");
  }

  @Test
  void sslWithAPemCaCertificateDelivers() throws Exception {
    Map<String, String> c = ssl("SSL", certs.certificate("broker"), "PEM");
    assertThat(deliver(c, "ssl-pem")).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readValues()).contains("ssl-pem");
  }

  @Test
  void saslSslWithScramDelivers() throws Exception {
    Map<String, String> c = ssl("SASL_SSL", certs.certificate("broker"), "PEM");
    c.put("security.protocol", "SASL_SSL");
    c.put("sasl.mechanism", "SCRAM-SHA-512");
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + USER
            + "\" password=\""
            + PASSWORD
            + "\";");
    WireProducer.Outcome outcome = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    do {
      // The SCRAM credential reaches the broker's cache shortly after the admin call returns.
      outcome = deliver(c, "sasl-ssl");
      if (!outcome.ok()) {
        Thread.sleep(200); // polling: not a busy loop against the broker it waits for
      }
    } while (!outcome.ok() && System.nanoTime() < deadline);
    assertThat(outcome).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readValues()).contains("sasl-ssl");
  }

  @Test
  void aBrokerCertificateNotTrustedFailsAtOnceNamingTheHandshake() throws Exception {
    Map<String, String> c = ssl("SSL", certs.certificate("stranger"), "PEM");
    assertRefusedAtOnce(c, "never-untrusted", "SSL");
  }

  @Test
  void aCertificateForAnotherNameIsRefusedUnlessTheNameCheckIsOff() throws Exception {
    Map<String, String> c = ssl("ELSEWHERE", certs.certificate("elsewhere"), "PEM");
    WireProducer.Outcome refused = deliver(c, "never-elsewhere");
    assertThat(refused.ok()).isFalse();
    assertThat(refused.error()).contains("TLS handshake").contains("127.0.0.1");

    c.put("ssl.endpoint.identification.algorithm", "");
    assertThat(deliver(c, "elsewhere-unchecked")).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readValues()).contains("elsewhere-unchecked");
  }

  @Test
  void aListenerThatRequiresAClientCertificateTakesTheAgentsKeyStore() throws Exception {
    Map<String, String> c = ssl("MTLS", certs.certificate("broker"), "PEM");
    c.put("ssl.keystore.location", dir.resolve("agent.p12").toString());
    c.put("ssl.keystore.password", PASSWORD + " "); // trimmed, as the Java client does
    c.put("ssl.keystore.type", "PKCS12");
    c.put("ssl.key.password", PASSWORD);
    assertThat(deliver(c, "mtls")).isEqualTo(WireProducer.Outcome.OK);
    c.remove("ssl.key.password"); // the store's password then
    assertThat(deliver(c, "mtls-store-password")).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readValues()).contains("mtls", "mtls-store-password");

    c.remove("ssl.keystore.location");
    c.remove("ssl.keystore.password");
    c.remove("ssl.keystore.type");
    // TLS 1.3 refuses the missing certificate after the handshake: still not retried.
    assertRefusedAtOnce(c, "never-mtls", "MTLS");
  }

  @Test
  void aStoreThatCannotBeReadFailsAtStartNamingTheSetting() throws Exception {
    Map<String, String> wrongPassword =
        ssl("SSL", certs.trustStore("agent-trusts2", "broker"), "PKCS12");
    wrongPassword.put("ssl.truststore.password", "not-the-password");
    assertThatThrownBy(() -> ProducerSettings.wire(props(wrongPassword)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ssl.truststore.location")
        .hasMessageNotContaining("not-the-password");

    Map<String, String> missing = ssl("SSL", dir.resolve("no-such.p12"), "PKCS12");
    assertThatThrownBy(() -> ProducerSettings.wire(props(missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ssl.truststore.location")
        .hasMessageContaining("no-such.p12");
  }

  @Test
  void whatTheJavaClientRefusesIsRefusedAtStartToo() throws Exception {
    Map<String, String> pemWithPassword = ssl("SSL", certs.certificate("broker"), "PEM");
    pemWithPassword.put("ssl.truststore.password", PASSWORD);
    Map<String, String> emptyLocation = ssl("SSL", certs.certificate("broker"), "PEM");
    emptyLocation.put("ssl.truststore.location", "");
    Map<String, String> keyStoreWithoutPassword = ssl("SSL", certs.certificate("broker"), "PEM");
    keyStoreWithoutPassword.put("ssl.keystore.location", dir.resolve("agent.p12").toString());
    keyStoreWithoutPassword.put("ssl.keystore.type", "PKCS12");
    Map<String, String> unknownProtocol = ssl("SSL", certs.certificate("broker"), "PEM");
    unknownProtocol.put("ssl.enabled.protocols", "TLSv9");
    Map<String, String> lowerCasePem = ssl("SSL", certs.certificate("broker"), "pem");
    Map<String, String> keyStorePasswordWithoutLocation =
        ssl("SSL", certs.certificate("broker"), "PEM");
    keyStorePasswordWithoutLocation.put("ssl.keystore.password", PASSWORD);
    Map.of(
            pemWithPassword, "ssl.truststore.password",
            emptyLocation, "ssl.truststore.location is empty",
            keyStoreWithoutPassword, "ssl.keystore.password is required",
            unknownProtocol, "ssl.enabled.protocols",
            lowerCasePem, "ssl.truststore.type=pem",
            keyStorePasswordWithoutLocation, "ssl.keystore.location is not")
        .forEach(
            (c, message) ->
                assertThatThrownBy(() -> ProducerSettings.wire(props(c)))
                    .as(message)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(message));
  }

  // ---- helpers ----

  /**
   * Delivering {@code marker} with {@code c} fails at once — well within the 60 s delivery timeout
   * — as a refusal of the TLS handshake with {@code listener}, not for good (the records stay in
   * the spool), and nothing reaches the topic.
   */
  private static void assertRefusedAtOnce(Map<String, String> c, String marker, String listener) {
    long started = System.nanoTime();
    WireProducer.Outcome outcome = deliver(c, marker);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("not retried until the 60 s delivery timeout")
        .isLessThan(Duration.ofSeconds(20));
    assertThat(outcome.ok()).isFalse();
    assertThat(outcome.permanent()).as("the records stay in the spool").isFalse();
    assertThat(outcome.loginRefused()).as("a refusal, paced as one").isTrue();
    assertThat(outcome.error())
        .contains("TLS handshake with broker 127.0.0.1:" + ports.get(listener) + " failed");
    assertThat(readValues()).doesNotContain(marker);
  }

  /** An agent's TLS settings for {@code listener}, trusting the store {@code trust} of type. */
  private static Map<String, String> ssl(String listener, Path trust, String type) {
    Map<String, String> c = new HashMap<>();
    c.put("security.protocol", "SSL");
    c.put("ssl.truststore.location", trust.toString());
    c.put("ssl.truststore.type", type);
    if (!type.equals("PEM")) {
      c.put("ssl.truststore.password", PASSWORD);
    }
    c.put("bootstrap.servers", "127.0.0.1:" + ports.get(listener));
    return c;
  }

  private static Map<String, Object> props(Map<String, String> c) {
    Map<String, String> overrides = new HashMap<>(c);
    String servers = overrides.remove("bootstrap.servers");
    Map<String, Object> p = ProducerSettings.of(servers, "culprit-tls-test", overrides);
    p.put("delivery.timeout.ms", "60000");
    p.put("request.timeout.ms", "10000");
    return p;
  }

  private static WireProducer.Outcome deliver(Map<String, String> c, String marker) {
    Map<String, Object> p = props(c);
    assertThat(ProducerSettings.wireRefusal(p)).as("stays on the built-in client").isNull();
    try (WireProducer producer = new WireProducer(ProducerSettings.wire(p))) {
      return producer
          .send(List.of(SpoolRecord.of(TOPIC, 1L, "h", marker.getBytes(StandardCharsets.UTF_8))))[
          0];
    }
  }

  private static List<String> readValues() {
    return TestClients.values(broker.bootstrapServers(), Map.of(), TOPIC, Duration.ofSeconds(30));
  }
}
