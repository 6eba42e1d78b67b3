package dev.culprit.app.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) on 127.0.0.1 and a free
 * port, with its own config and storage in a temporary directory and no cluster gossip; it notifies
 * a webhook (the pager) with send_resolved, or notifies no one. Stoppable and restartable on the
 * same port. Shared with the bench module (AlertLatencyBench) through this module's test-jar.
 */
public final class RealAlertmanager implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();
  private Process process;

  private RealAlertmanager(Path dir, String config) throws IOException, InterruptedException {
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("alertmanager.yml"), config);
    start();
  }

  /** Started, notifying the webhook at {@code pagerUrl} of every alert, fired and resolved. */
  public static RealAlertmanager paging(Path dir, String pagerUrl)
      throws IOException, InterruptedException {
    return new RealAlertmanager(
        dir,
        String.join(
            "\n",
            "route:",
            "  receiver: pager",
            "  group_by: [alertname, host, netns, signature, scope]",
            // Notify at once and on every change, so the test sees the pager's view quickly.
            "  group_wait: 1s",
            "  group_interval: 1s",
            "  repeat_interval: 1h",
            "receivers:",
            "  - name: pager",
            "    webhook_configs:",
            "      - url: " + pagerUrl,
            "        send_resolved: true",
            ""));
  }

  /** Started, notifying no one: only its API shows the alerts. */
  public static RealAlertmanager silent(Path dir) throws IOException, InterruptedException {
    return new RealAlertmanager(
        dir, String.join("\n", "route:", "  receiver: none", "receivers:", "  - name: none", ""));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public void start() throws IOException, InterruptedException {
    process =
        new ProcessBuilder(
                BINARY.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "alertmanager exited: " + Files.readString(dir.resolve("alertmanager.log")));
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100); // poll interval of the readiness check
    }
    process.destroyForcibly();
    throw new IllegalStateException("alertmanager not ready within 20 s on " + url());
  }

  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** The active alerts, as {@code GET /api/v2/alerts} lists them (resolved ones are not). */
  public JsonNode alerts() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/v2/alerts").body());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
