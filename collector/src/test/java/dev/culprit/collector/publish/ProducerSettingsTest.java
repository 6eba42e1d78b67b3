package dev.culprit.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.publish.wire.Compression;
import dev.culprit.collector.publish.wire.SaslCredentials;
import dev.culprit.collector.publish.wire.WireProducer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which client carries the records for a set of producer settings, and how they translate. */
class ProducerSettingsTest {

  private static Map<String, Object> with(Map<String, String> overrides) {
    return ProducerSettings.of("b1:9092, b2:9093", "host-1", overrides);
  }

  @Test
  void theCollectorsOwnSettingsNeedNoJavaClient() {
    assertThat(ProducerSettings.wireRefusal(with(Map.of()))).isNull();
    WireProducer.Settings s = ProducerSettings.wire(with(Map.of()));
    assertThat(s.bootstrap()).containsExactly("b1:9092", "b2:9093");
    assertThat(s.clientId()).isEqualTo("host-1");
    assertThat(s.compression()).isEqualTo(Compression.ZSTD);
    assertThat(s.compressionLevel()).isEqualTo(3);
    assertThat(s.deliveryTimeoutMs()).isEqualTo(300_000);
    assertThat(s.requestTimeoutMs()).isEqualTo(30_000);
    // The Java client keeps one request in flight, as the built-in one does (see ProducerSettings).
    assertThat(with(Map.of())).containsEntry("max.in.flight.requests.per.connection", 1);
  }

  @Test
  void settingsOnlyTheJavaClientHasSelectItAndSayWhich() {
    assertThat(ProducerSettings.wireRefusal(with(Map.of("ssl.truststore.certificates", "x"))))
        .isEqualTo("setting ssl.truststore.certificates");
    assertThat(ProducerSettings.wireRefusal(with(Map.of("ssl.engine.factory.class", "x"))))
        .isEqualTo("setting ssl.engine.factory.class");
    assertThat(ProducerSettings.wireRefusal(with(Map.of("compression.type", "lz4"))))
        .isEqualTo("compression.type=lz4");
    assertThat(ProducerSettings.wireRefusal(with(Map.of("acks", "1")))).isEqualTo("acks=1");
    assertThat(ProducerSettings.wireRefusal(with(Map.of("enable.idempotence", "false"))))
        .isEqualTo("enable.idempotence=false");
  }

  @Test
  void saslPlaintextWithPlainOrScramStaysOnTheBuiltInClientWithItsCredentials() {
    for (String mechanism : List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")) {
      String module =
          mechanism.equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      Map<String, Object> props =
          with(
              Map.of(
                  "security.protocol",
                  "SASL_PLAINTEXT",
                  "sasl.mechanism",
                  mechanism,
                  "sasl.jaas.config",
                  module + " required username=\"agent-1\" password=\"s3cr=t \\\"x\";"));
      assertThat(ProducerSettings.wireRefusal(props)).as(mechanism).isNull();
      SaslCredentials sasl = ProducerSettings.wire(props).sasl();
      assertThat(sasl.mechanism()).isEqualTo(mechanism);
      assertThat(sasl.username()).isEqualTo("agent-1");
      assertThat(sasl.password()).isEqualTo("s3cr=t \"x");
      assertThat(sasl.toString()).doesNotContain("s3cr");
    }
    assertThat(ProducerSettings.wire(with(Map.of())).sasl()).isNull();
  }

  @Test
  void tlsFromStoresInFilesStaysOnTheBuiltInClient() {
    // The JDK's trusted certificates when no trust store is named, as the Java client does.
    for (String security : List.of("SSL", "ssl", "SASL_SSL")) {
      Map<String, Object> props =
          with(
              Map.of(
                  "security.protocol",
                  security,
                  "sasl.mechanism",
                  "PLAIN",
                  "sasl.jaas.config",
                  "org.apache.kafka.common.security.plain.PlainLoginModule required"
                      + " username=\"a\" password=\"b\";"));
      assertThat(ProducerSettings.wireRefusal(props)).as(security).isNull();
      WireProducer.Settings s = ProducerSettings.wire(props);
      assertThat(s.tls()).as(security).isNotNull();
      assertThat(s.sasl() != null).as(security).isEqualTo(security.startsWith("SASL"));
    }
    assertThat(ProducerSettings.wire(with(Map.of())).tls()).isNull();
  }

  @Test
  void tlsTheBuiltInClientDoesNotReadOrAnotherSaslMechanismSelectsTheJavaClientAndSaysWhy() {
    assertThat(
            ProducerSettings.wireRefusal(
                with(Map.of("security.protocol", "SSL", "ssl.keystore.type", "PEM"))))
        .isEqualTo("ssl.keystore.type=PEM");
    assertThat(
            ProducerSettings.wireRefusal(
                with(Map.of("security.protocol", "SSL", "ssl.truststore.type", "BCFKS"))))
        .isEqualTo("ssl.truststore.type=BCFKS");
    assertThat(
            ProducerSettings.wireRefusal(
                with(
                    Map.of(
                        "security.protocol",
                        "SSL",
                        "ssl.endpoint.identification.algorithm",
                        "custom"))))
        .isEqualTo("ssl.endpoint.identification.algorithm=custom");
    assertThat(ProducerSettings.wireRefusal(with(Map.of("security.protocol", "KERBEROS"))))
        .isEqualTo("security.protocol=KERBEROS");
    assertThat(
            ProducerSettings.wireRefusal(
                with(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI"))))
        .isEqualTo("sasl.mechanism=GSSAPI");
    assertThat(
            ProducerSettings.wireRefusal(
                with(
                    Map.of(
                        "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "SCRAM-SHA-256",
                        "sasl.jaas.config",
                            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " username=\"a\" password=\"b\";"))))
        .startsWith("sasl.jaas.config (")
        .contains("ScramLoginModule");
  }

  @Test
  void settingsOfTheJavaClientsOwnBatchingChangeNothingAndKeepTheBuiltInClient() {
    Map<String, String> moot =
        Map.of(
            "linger.ms",
            "5",
            "batch.size",
            "65536",
            "security.protocol",
            "plaintext",
            "acks",
            "-1");
    assertThat(ProducerSettings.wireRefusal(with(moot))).isNull();
  }

  @Test
  void translatesTimeoutsAndCompressionAndRefusesMalformedNumbers() {
    WireProducer.Settings s =
        ProducerSettings.wire(
            with(
                Map.of(
                    "compression.type", "gzip",
                    "compression.gzip.level", "6",
                    "request.timeout.ms", "5000",
                    "delivery.timeout.ms", "60000",
                    "retry.backoff.ms", "250")));
    assertThat(s.compression()).isEqualTo(Compression.GZIP);
    assertThat(s.compressionLevel()).isEqualTo(6);
    assertThat(s.requestTimeoutMs()).isEqualTo(5000);
    assertThat(s.deliveryTimeoutMs()).isEqualTo(60_000);
    assertThat(s.retryBackoffMs()).isEqualTo(250);
    assertThat(s.retryBackoffMaxMs()).isEqualTo(1000);
    assertThatThrownBy(() -> ProducerSettings.wire(with(Map.of("request.timeout.ms", "soon"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request.timeout.ms");
    assertThatThrownBy(() -> ProducerSettings.wire(ProducerSettings.of("no-port", "h", Map.of())))
        .hasMessageContaining("not host:port");
    assertThat(ProducerSettings.wire(with(Map.of("compression.type", "none"))).compression())
        .isEqualTo(Compression.NONE);
    assertThat(List.of(Compression.values())).hasSize(3);
  }
}
