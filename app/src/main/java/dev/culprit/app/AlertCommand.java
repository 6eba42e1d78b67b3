package dev.culprit.app;

import dev.culprit.app.alert.AlertBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code culprit alert}: cause transitions and fleet incidents → Alertmanager and webhooks. */
@Command(
    name = "alert",
    mixinStandardHelpOptions = true,
    description = {
      "Delivers cause transitions (culprit.rootcause.transitions) and fleet incidents to"
          + " Prometheus Alertmanager (API v2) and generic webhooks: an alert fires when a cause"
          + " starts and resolves when it ends; a fleet incident is one alert for all its hosts.",
      "Offsets are committed only after every receiver accepted (2xx); a receiver that is down is"
          + " retried with backoff, nothing is dropped. Run several with the same --group to share"
          + " the work."
    })
final class AlertCommand implements Callable<Integer> {

  @Option(
      names = "--alertmanager",
      paramLabel = "URL",
      split = ",",
      description =
          "Alertmanager base URL, e.g. http://127.0.0.1:9093; comma-separated or repeated for an"
              + " HA pair (each gets every alert).")
  List<String> alertmanagers = new ArrayList<>();

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      split = ",",
      description = "POST each transition and fleet incident as JSON to this URL; repeatable.")
  List<String> webhooks = new ArrayList<>();

  @Option(
      names = "--group",
      paramLabel = "ID",
      defaultValue = "culprit-alert",
      description = "Consumer group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--resend-every",
      paramLabel = "DURATION",
      defaultValue = "1m",
      description =
          "Send firing alerts again this often; keep it below Alertmanager's resolve_timeout"
              + " (default: ${DEFAULT-VALUE}).")
  Duration resendEvery;

  @Option(
      names = "--max-backoff",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "Longest wait between attempts at a receiver that is down (default: ${DEFAULT-VALUE}).")
  Duration maxBackoff;

  @Mixin KafkaClientOptions kafkaClient;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9466",
      description =
          "Serve the bridge's metrics (delivered, failed, pending, firing) for Prometheus at"
              + " http://HOST:PORT/metrics; 'none' to turn it off (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Override
  public Integer call() throws Exception {
    if (alertmanagers.isEmpty() && webhooks.isEmpty()) {
      throw new UserException("give at least one --alertmanager URL or --webhook URL", 2);
    }
    KafkaAccess kafka = kafkaClient.resolve();
    String servers = kafka.bootstrapServers();
    AlertBridge.Settings settings =
        new AlertBridge.Settings(
            servers, kafka.properties(), group, alertmanagers, webhooks, resendEvery, maxBackoff);
    try (AlertBridge bridge = new AlertBridge(settings);
        var server = MetricsAddress.serve(metricsAddress, bridge::metricsText)) {
      Thread loop = new Thread(bridge::run, "culprit-alert-bridge");
      loop.start();
      System.err.println(
          "culprit alert: group "
              + group
              + " at "
              + servers
              + " → "
              + String.join(", ", alertmanagers)
              + (webhooks.isEmpty() ? "" : " webhooks " + String.join(", ", webhooks)));
      Shutdown.awaitSignal();
      bridge.close();
      loop.join(Duration.ofSeconds(30).toMillis());
    }
    return 0;
  }
}
