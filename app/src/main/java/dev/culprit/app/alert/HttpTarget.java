package dev.culprit.app.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One receiver of the bridge: an Alertmanager (its API v2 alerts endpoint) or a generic webhook,
 * both taking a JSON POST and answering 2xx when they have it.
 */
final class HttpTarget {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final URI uri;
  private final boolean alertmanager;
  private final HttpClient client;

  private HttpTarget(String name, URI uri, boolean alertmanager, HttpClient client) {
    this.name = name;
    this.uri = uri;
    this.alertmanager = alertmanager;
    this.client = client;
  }

  /** An Alertmanager at {@code base} (http://host:9093, with or without a path prefix). */
  static HttpTarget alertmanager(String base, HttpClient client) {
    String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return new HttpTarget(base, URI.create(trimmed + "/api/v2/alerts"), true, client);
  }

  /** A webhook that receives each transition (or fleet incident) as JSON. */
  static HttpTarget webhook(String url, HttpClient client) {
    return new HttpTarget(url, URI.create(url), false, client);
  }

  boolean alertmanager() {
    return alertmanager;
  }

  String name() {
    return name;
  }

  /**
   * Posts {@code json}.
   *
   * @throws IOException when the target is unreachable or does not answer 2xx
   */
  void post(String json, String topic) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    if (topic != null) {
      request.header("X-Culprit-Topic", topic);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          name + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
    }
  }

  private static String abbreviate(String body) {
    String flat = body == null ? "" : body.replace('\n', ' ');
    return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
  }
}
