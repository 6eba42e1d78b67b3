package dev.culprit.app.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page and its JSON API, read-only (every method but GET and HEAD is refused):
 *
 * <ul>
 *   <li>{@code /} the fleet page; {@code /hosts/{host}} a host's page
 *   <li>{@code /api/hosts}, {@code /api/hosts/{host}}, {@code /api/incidents}: JSON, from whichever
 *       instance holds the state; {@code ?scope=local} answers from this instance's stores only
 *   <li>{@code /healthz}: "ok", touching no state (the benchmark's baseline)
 * </ul>
 */
public final class LiveServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveServer.class);
  private static final int REFRESH_SECONDS = 10;

  static {
    // The JDK server writes headers and body separately; with Nagle on, the body waits for the
    // client's delayed ACK: every answer took 40-48 ms, /healthz included (LiveApiBench). Read
    // once, when the JDK's first HttpServer is made; nothing else in culprit makes one.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService pool;
  private final LiveQueries queries;
  private final Clock clock;
  private final long silentAfterMs;
  private final long recentMs;

  /**
   * @param window the processor's window: a host three windows (at least 30 s) behind the fleet's
   *     newest sample has stopped reporting, and causes of the last five windows are current
   */
  public LiveServer(InetSocketAddress address, LiveQueries queries, Duration window, Clock clock)
      throws IOException {
    this.queries = queries;
    this.clock = clock;
    this.silentAfterMs = Math.max(3 * window.toMillis(), 30_000);
    this.recentMs = 5 * window.toMillis();
    this.server = HttpServer.create(address, 64);
    // Several threads: a request fanned out to other instances waits for them, and they may be
    // asking this one at the same time (their asks are local-scoped, so never wait in turn).
    this.pool =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "culprit-live-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The bound address (port 0 resolved). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String method = x.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        x.getResponseHeaders().add("Allow", "GET, HEAD");
        send(x, 405, "text/plain", "read-only: GET only\n");
        return;
      }
      String path = x.getRequestURI().getRawPath();
      boolean local = "scope=local".equals(x.getRequestURI().getRawQuery());
      try {
        route(x, path, local);
      } catch (LiveQueries.Unavailable e) {
        send(x, 503, "text/plain", e.getMessage() + "\n");
      } catch (RuntimeException e) {
        LOG.warn("live page: {} failed", path, e);
        send(x, 500, "text/plain", "internal error\n");
      }
    }
  }

  private void route(HttpExchange x, String path, boolean local) throws IOException {
    long now = clock.millis();
    if (path.equals("/healthz")) {
      send(x, 200, "text/plain", "ok\n");
    } else if (path.equals("/api/hosts")) {
      json(
          x,
          local
              ? new LiveJson.Hosts(queries.localHosts(), java.util.List.of(), java.util.List.of())
              : queries.allHosts());
    } else if (path.equals("/api/incidents")) {
      json(
          x,
          local
              ? new LiveJson.Incidents(
                  queries.localIncidents(), java.util.List.of(), java.util.List.of())
              : queries.allIncidents());
    } else if (path.startsWith("/api/hosts/")) {
      Optional<LiveJson.Host> host = lookup(path.substring("/api/hosts/".length()), local);
      if (host.isEmpty()) {
        send(x, 404, "application/json", "{\"error\":\"no such host\"}\n");
      } else {
        json(x, host.get());
      }
    } else if (path.equals("/")) {
      html(
          x,
          200,
          LivePages.fleet(
              queries.allHosts(),
              queries.allIncidents(),
              now,
              silentAfterMs,
              recentMs,
              REFRESH_SECONDS));
    } else if (path.startsWith("/hosts/")) {
      Optional<LiveJson.Host> host = lookup(path.substring("/hosts/".length()), false);
      if (host.isEmpty()) {
        send(x, 404, "text/plain", "no such host\n");
      } else {
        html(x, 200, LivePages.host(host.get(), now, REFRESH_SECONDS));
      }
    } else {
      send(x, 404, "text/plain", "not found\n");
    }
  }

  private Optional<LiveJson.Host> lookup(String encoded, boolean local) {
    String host = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    return local ? queries.localHost(host) : queries.host(host);
  }

  private static void json(HttpExchange x, Object doc) throws IOException {
    send(x, 200, "application/json", LiveQueries.JSON.writeValueAsString(doc));
  }

  private static void html(HttpExchange x, int status, String page) throws IOException {
    x.getResponseHeaders().add("Content-Security-Policy", LivePages.CSP);
    x.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
    x.getResponseHeaders().add("Cache-Control", "no-store");
    send(x, status, "text/html; charset=utf-8", page);
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type);
    boolean head = x.getRequestMethod().equals("HEAD");
    x.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
