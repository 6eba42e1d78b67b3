package dev.culprit.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** A topic's configuration changed for a test, and waited for until the broker answers with it. */
public final class TopicConfigs {

  private TopicConfigs() {}

  /**
   * Sets {@code name} of {@code topic} to {@code value} (null: removes the topic's own value), then
   * waits until the broker describes the topic with it: a broker applies a change when its metadata
   * does, not when the admin call returns.
   *
   * @throws TimeoutException when the broker does not answer with it within {@code timeout}
   */
  public static void set(Admin admin, String topic, String name, String value, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    AlterConfigOp op =
        new AlterConfigOp(
            new ConfigEntry(name, value),
            value == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
    admin
        .incrementalAlterConfigs(Map.of(resource, List.of(op)))
        .all()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ConfigEntry now =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(resource)
              .get(name);
      boolean applied =
          value == null
              ? now == null || now.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
              : now != null && value.equals(now.value());
      if (applied) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "the broker did not apply " + name + "=" + value + " to " + topic + " in " + timeout);
      }
      Thread.sleep(10); // polling the broker's answer
    }
  }
}
