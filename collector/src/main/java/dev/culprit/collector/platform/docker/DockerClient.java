package dev.culprit.collector.platform.docker;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Docker Engine API calls the collector makes, over the engine's Unix socket. Unversioned
 * paths: the engine answers in its own current API version, and every field read here exists since
 * API 1.24 and in podman's compatible API.
 */
public final class DockerClient {

  private static final Logger LOG = LoggerFactory.getLogger(DockerClient.class);

  private final UnixHttpClient http;

  public DockerClient(Path socket, Duration timeout) {
    this.http = new UnixHttpClient(socket, timeout);
  }

  /**
   * Parses a {@code --docker-host} value: {@code unix:///var/run/docker.sock} or a plain path.
   *
   * @throws IllegalArgumentException for TCP or SSH hosts, which this client does not speak
   */
  public static Path socketOf(String dockerHost) {
    Objects.requireNonNull(dockerHost, "dockerHost");
    if (dockerHost.startsWith("unix://")) {
      return Path.of(dockerHost.substring("unix://".length()));
    }
    if (dockerHost.contains("://")) {
      throw new IllegalArgumentException(
          "only unix:// Docker hosts are supported, not " + dockerHost);
    }
    return Path.of(dockerHost);
  }

  public Path socket() {
    return http.socket();
  }

  /** {@code GET /_ping}: whether an engine answers on the socket. */
  public void ping() throws IOException {
    HttpResponse r = http.get("/_ping");
    if (r.status() != 200) {
      throw new UnixHttpClient.HttpStatusException("GET /_ping", r.status(), r.text());
    }
  }

  /** The ids of the running containers, or of all with {@code all}. */
  public List<String> containerIds(boolean all) throws IOException {
    HttpResponse r = http.get("/containers/json" + (all ? "?all=1" : ""));
    if (r.status() != 200) {
      throw new UnixHttpClient.HttpStatusException("GET /containers/json", r.status(), r.text());
    }
    return DockerJson.containerIds(r.text());
  }

  /** The container, or empty when the engine does not know it (removed). */
  public Optional<DockerContainer> inspect(String id) throws IOException {
    HttpResponse r = http.get("/containers/" + encode(id) + "/json");
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw new UnixHttpClient.HttpStatusException(
          "GET /containers/" + id + "/json", r.status(), r.text());
    }
    return Optional.of(DockerJson.inspect(r.text()));
  }

  /**
   * Follows container events from {@code sinceNano} (epoch ns; 0 = from now) until the stream is
   * closed or fails. Blocks the calling thread.
   *
   * @param onOpen receives the open stream, so another thread can close it
   * @param onEvent receives every container event
   */
  public void events(
      long sinceNano, Consumer<UnixHttpClient.Stream> onOpen, Consumer<DockerEvent> onEvent)
      throws IOException {
    String filters = URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);
    String target = "/events?filters=" + filters;
    if (sinceNano > 0) {
      // The engine takes "seconds.nanoseconds".
      target +=
          "&since="
              + (sinceNano / 1_000_000_000L)
              + "."
              + String.format("%09d", sinceNano % 1_000_000_000L);
    }
    http.stream(
        target,
        onOpen,
        line -> {
          try {
            DockerJson.event(line).ifPresent(onEvent);
          } catch (IOException e) {
            // One bad line must not end the stream: the next events are still good.
            LOG.warn("skipping an engine event: {}", e.getMessage());
          }
        });
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
