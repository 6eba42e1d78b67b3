package dev.culprit.app;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running command meets the broker once before it starts: a refused login (wrong password,
 * unknown user, TLS the client does not trust) is a mistake in the configuration that no retry
 * fixes, so it ends the command with the broker's reason instead of a retry loop in the log. An
 * unreachable broker does not: the collector spools, the processor waits.
 */
final class LoginCheck {

  private static final Logger LOG = LoggerFactory.getLogger(LoginCheck.class);
  private static final int TIMEOUT_MS = 15_000;

  private LoginCheck() {}

  /** Throws a {@link UserException} when the broker refuses the login of {@code kafka}. */
  static void verify(KafkaAccess kafka) {
    if (!kafka.properties().containsKey("security.protocol")
        || kafka.properties().get("security.protocol").equalsIgnoreCase("PLAINTEXT")) {
      return;
    }
    Properties p = kafka.clientProperties();
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException a) {
        throw new UserException(
            "Kafka at " + kafka.bootstrapServers() + " refused the login: " + a.getMessage());
      }
      LOG.warn(
          "cannot reach Kafka at {} yet: {}", kafka.bootstrapServers(), e.getCause().toString());
    } catch (TimeoutException e) {
      LOG.warn("no answer from Kafka at {} yet", kafka.bootstrapServers());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
