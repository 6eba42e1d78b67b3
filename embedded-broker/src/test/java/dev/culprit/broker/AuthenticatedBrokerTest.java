package dev.culprit.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker of {@code culprit up}: only culprit's own user, with the password kept in the broker
 * directory, gets in; a client without credentials or with a wrong password is refused.
 */
class AuthenticatedBrokerTest {

  @TempDir Path dataDir;

  @Test
  void onlyTheStoredUserGetsInAndItsPasswordFileIsPrivateAcrossARestart() throws Exception {
    Map<String, String> login;
    try (EmbeddedBroker broker =
        EmbeddedBroker.startAuthenticated(dataDir, 0, TopicSettings.defaults())) {
      login = broker.clientProperties();
      assertThat(login).containsEntry("security.protocol", "SASL_PLAINTEXT");
      try (Admin admin = broker.admin()) {
        assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
            .contains(Topics.INTERFACE.name());
      }

      Map<String, Object> wrong = new HashMap<>(login);
      wrong.put(
          "sasl.jaas.config",
          BrokerCredentials.scramJaas(BrokerCredentials.CLIENT_USER, "not-the-password"));
      assertThatThrownBy(() -> listTopics(broker, wrong))
          .hasCauseInstanceOf(SaslAuthenticationException.class);

      Map<String, Object> anonymous = new HashMap<>();
      anonymous.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
      anonymous.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
      assertThatThrownBy(() -> listTopics(broker, anonymous))
          .as("a client without SASL never gets an answer")
          .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
    }
    Path file = dataDir.resolve(BrokerCredentials.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)))
        .isEqualTo("rwx------");

    try (EmbeddedBroker again =
        EmbeddedBroker.startAuthenticated(dataDir, 0, TopicSettings.defaults())) {
      assertThat(again.clientProperties()).as("same users after a restart").isEqualTo(login);
      try (Admin admin = again.admin()) {
        assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
            .contains(Topics.INTERFACE.name());
      }
    }
  }

  @Test
  void storageFormattedBeforeAuthenticationGetsItsUsersAdded() throws Exception {
    try (EmbeddedBroker open = EmbeddedBroker.start(dataDir, 0)) {
      assertThat(open.clientProperties()).isEmpty();
    }
    try (EmbeddedBroker broker =
            EmbeddedBroker.startAuthenticated(dataDir, 0, TopicSettings.defaults());
        Admin admin = broker.admin()) {
      assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
          .contains(Topics.INTERFACE.name());
    }
  }

  private static void listTopics(EmbeddedBroker broker, Map<String, Object> props)
      throws Exception {
    Map<String, Object> p = new HashMap<>(props);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }
}
