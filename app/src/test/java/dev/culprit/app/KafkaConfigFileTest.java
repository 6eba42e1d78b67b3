package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConfigFileTest {

  private static final String JAAS =
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=\"u\" password=\"p\";\n";

  @TempDir Path dir;

  @Test
  void refusesAPasswordOtherUsersCanReadAndSaysHowToFixIt() throws Exception {
    Path file = write("rw-r--r--", "security.protocol=SASL_SSL\n" + JAAS);
    assertThatThrownBy(() -> KafkaAccess.resolve(null, file, dir))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("holds a password (sasl.jaas.config)")
        .hasMessageContaining("mode 0644")
        .hasMessageContaining("chmod 600 " + file);
  }

  @Test
  void refusesATrustStorePasswordItsGroupCanRead() throws Exception {
    Path file = write("rw-r-----", "ssl.truststore.password=changeit\n");
    assertThatThrownBy(() -> KafkaConfigFile.load(file, "--kafka-config file"))
        .hasMessageContaining("ssl.truststore.password");
  }

  @Test
  void aPrivateFileGivesItsServersAndPropertiesToEveryClient() throws Exception {
    Path file =
        write(
            "rw-------",
            "bootstrap.servers=kafka-1:9093\nsecurity.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + JAAS);
    KafkaAccess access = KafkaAccess.resolve(null, file, dir);
    assertThat(access.bootstrapServers()).isEqualTo("kafka-1:9093");
    assertThat(access.properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsKey("sasl.jaas.config")
        .doesNotContainKey("bootstrap.servers");
    assertThat(KafkaAccess.resolve("other:9092", file, dir).bootstrapServers())
        .as("--bootstrap-servers wins")
        .isEqualTo("other:9092");
  }

  @Test
  void aFileWithoutSecretsMayBeReadableByAll() throws Exception {
    Path file = write("rw-r--r--", "compression.type=gzip\n");
    assertThat(KafkaConfigFile.load(file, "--kafka-config file"))
        .isEqualTo(Map.of("compression.type", "gzip"));
  }

  @Test
  void theDataDirectorysBrokerLoginComesWithItsAddress() throws Exception {
    DataDir.writeBootstrap(dir, "127.0.0.1:41000", Map.of("security.protocol", "SASL_PLAINTEXT"));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(DataDir.CLIENT_FILE))))
        .isEqualTo("rw-------");
    KafkaAccess access = KafkaAccess.resolve(null, null, dir);
    assertThat(access.bootstrapServers()).isEqualTo("127.0.0.1:41000");
    assertThat(access.properties()).containsEntry("security.protocol", "SASL_PLAINTEXT");
    assertThat(KafkaAccess.resolve("elsewhere:9092", null, dir).properties())
        .as("not sent to another cluster")
        .isEmpty();
  }

  private Path write(String mode, String text) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.deleteIfExists(file);
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }
}
