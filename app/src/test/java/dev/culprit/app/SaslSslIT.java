package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.broker.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * culprit against a secured Kafka, as on a real cluster: a real KRaft broker whose only client
 * listener is SASL_SSL (SCRAM-SHA-512) with a certificate made here by the JDK's keytool. The slim
 * agent jar publishes through it (its built-in client, over the JDK's TLS), the processor reads and
 * writes through it, {@code tail} reads through it — each given nothing but a {@code
 * --kafka-config} file — and a wrong password ends {@code tail} at once with a clear error, while
 * the agent names it and keeps spooling.
 */
class SaslSslIT {

  private static final Path JAR = Path.of("target", "culprit-collect.jar");
  private static final String STORE_PASSWORD = "culprit-it-store";

  @TempDir Path dir;

  @Test
  void collectorProcessorAndTailWorkThroughSaslSslAndAWrongPasswordFailsClearly() throws Exception {
    TestCertificates certificates = new TestCertificates(dir, STORE_PASSWORD);
    assumeTrue(certificates.available(), "this JDK has no keytool to make a certificate");
    // A self-signed certificate for 127.0.0.1 in the broker's key store, trusted by clients.
    Path keyStore = certificates.keyPair("broker", "localhost", "ip:127.0.0.1,dns:localhost");
    Path trustStore = certificates.trustStore("trust", "broker");

    Map<String, String> tls = new HashMap<>();
    tls.put("listener.security.protocol.map", "CLIENT:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
    tls.putAll(certificates.listener("CLIENT", keyStore, trustStore));

    try (EmbeddedBroker broker = EmbeddedBroker.startTemporaryAuthenticated(tls)) {
      Map<String, String> login = broker.clientProperties();
      assertThat(login).containsEntry("security.protocol", "SASL_SSL");
      Path config = clientConfig("client.properties", broker, login.get("sasl.jaas.config"));

      List<Process> started = new ArrayList<>();
      try {
        started.add(
            start(
                "collect",
                Cli.javaJar(
                    JAR,
                    "128m",
                    Cli.interfaceCollect(
                        "culprit-sasl-host",
                        dir.resolve("spool"),
                        "--kafka-config",
                        config.toString()))));
        started.add(
            start(
                "process",
                Cli.javaMain(
                    "process",
                    "--kafka-config",
                    config.toString(),
                    "--application-id",
                    "culprit-sasl-it",
                    "--data-dir",
                    dir.resolve("process").toString())));

        Cli.Run samples =
            Cli.run(
                "tail",
                "interface",
                "--kafka-config",
                config.toString(),
                "--from-beginning",
                "--max",
                "2",
                "--timeout",
                "180s");
        assertThat(samples.exitCode()).as("tail: %s%s", samples.stderr(), logs()).isZero();
        for (String line : samples.stdout().split("\n")) {
          JsonNode sample = new ObjectMapper().readTree(line);
          assertThat(sample.get("host").asText()).isEqualTo("culprit-sasl-host");
        }

        // A poison record: the processor reads it and writes it to the dead-letter topic.
        try (KafkaProducer<String, byte[]> producer = producer(config)) {
          producer
              .send(
                  new ProducerRecord<>(
                      "culprit.samples.interface",
                      "culprit-sasl-poison",
                      "not avro".getBytes(StandardCharsets.UTF_8)))
              .get(60, TimeUnit.SECONDS);
        }
        Cli.Run dead =
            Cli.run(
                "tail",
                "deadletter",
                "--kafka-config",
                config.toString(),
                "--from-beginning",
                "--max",
                "1",
                "--timeout",
                "240s");
        assertThat(dead.exitCode()).as("tail: %s%s", dead.stderr(), logs()).isZero();
        assertThat(dead.stdout()).contains("culprit.samples.interface");

        Path wrong = clientConfig("wrong.properties", broker, jaas("culprit", "not-the-password"));
        long before = System.nanoTime();
        Cli.Run refused =
            Cli.run("tail", "interface", "--kafka-config", wrong.toString(), "--timeout", "120s");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("refused the login");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - before))
            .as("fails at once, no retry loop until the timeout")
            .isLessThan(java.time.Duration.ofSeconds(60));

        // The agent's built-in client says at each attempt that the login was refused and keeps
        // its samples in the spool (a rotated secret may not have reached it yet).
        Process collect =
            start(
                "collect-wrong",
                jar(
                    "collect",
                    "--kafka-config",
                    wrong.toString(),
                    "--spool-dir",
                    dir.resolve("spool-wrong").toString()));
        started.add(collect);
        Path wrongLog = dir.resolve("collect-wrong.stderr");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(wrongLog).contains("authentication of user culprit")
            && collect.isAlive()
            && System.nanoTime() < deadline) {
          Thread.sleep(200); // polling the log file
        }
        assertThat(Files.readString(wrongLog))
            .as("the refused login is named")
            .contains("refuses this client")
            .contains("refuses SASL SCRAM-SHA-512 authentication of user culprit")
            .doesNotContain("not-the-password");
        assertThat(collect.isAlive()).as("the agent keeps spooling").isTrue();
      } finally {
        for (Process p : started) {
          p.destroy();
          if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        }
      }
      assertThat(Files.readString(dir.resolve("collect.stderr")))
          .as("SASL_SSL with SCRAM and a PKCS12 trust store stays on the built-in client")
          .doesNotContain("Exception in thread")
          .contains("the built-in client carries the records (TLS, SASL SCRAM-SHA-512)");
    }
  }

  private Path clientConfig(String name, EmbeddedBroker broker, String jaas) throws Exception {
    Path file = dir.resolve(name);
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", broker.bootstrapServers());
    p.setProperty("security.protocol", "SASL_SSL");
    p.setProperty("sasl.mechanism", "SCRAM-SHA-512");
    p.setProperty("sasl.jaas.config", jaas);
    p.putAll(new TestCertificates(dir, STORE_PASSWORD).clientTrust(dir.resolve("trust.p12")));
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, null);
    }
    return file;
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  private static KafkaProducer<String, byte[]> producer(Path config) throws Exception {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return OrderedProducer.create(p);
  }

  private Process start(String name, List<String> command) throws Exception {
    return Cli.start(command, dir.resolve(name + ".stdout"), dir.resolve(name + ".stderr"));
  }

  private String logs() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("collect", "process")) {
      Path err = dir.resolve(name + ".stderr");
      if (Files.exists(err)) {
        String text = Files.readString(err);
        b.append("\n--- ").append(name).append(" stderr (tail):\n");
        b.append(text, Math.max(0, text.length() - 4000), text.length());
      }
    }
    return b.toString();
  }

  private static List<String> jar(String... args) {
    return Cli.javaJar(JAR, "128m", List.of(args));
  }
}
