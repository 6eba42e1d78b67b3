package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.docker.DockerClient;
import dev.culprit.collector.platform.docker.DockerEvent;
import dev.culprit.collector.platform.docker.UnixHttpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's {@code /events} stream on a daemon thread and hands each container event to
 * a handler at once: a container's cgroup is removed 50-250 ms after it exits, so its last counters
 * must be read the moment {@code oom} or {@code die} arrives, not at the next collection cycle.
 *
 * <p>The first connection replays the look-back (so a kill just before the collector started is
 * seen); after a lost connection it reconnects with back-off from the last event it saw, so no
 * event is missed or handled twice. A second {@code oom} of the same container within the
 * de-duplication window is dropped (dockerd sometimes sends two for one kill).
 */
final class DockerEventFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerEventFollower.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final DockerClient client;
  private final Consumer<DockerEvent> handler;
  private final long dedupWindowNanos;
  private final Map<String, Long> lastOomNanos = new HashMap<>();
  private final Thread thread;
  private final Object lock = new Object();
  private volatile boolean closed;
  private volatile UnixHttpClient.Stream stream;
  private volatile long lastEventNanos;
  private volatile boolean connected;
  private volatile String lastError;

  DockerEventFollower(
      DockerClient client, Duration lookBack, Duration dedupWindow, Consumer<DockerEvent> handler) {
    this.client = client;
    this.handler = handler;
    this.dedupWindowNanos = dedupWindow.toNanos();
    this.lastEventNanos = System.currentTimeMillis() * 1_000_000L - lookBack.toNanos();
    this.thread = new Thread(this::run, "culprit-docker-events");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Whether the stream is open right now. */
  boolean isConnected() {
    return connected;
  }

  /** The last connection error, or null. */
  String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    closed = true;
    UnixHttpClient.Stream s = stream;
    if (s != null) {
      s.close();
    }
    synchronized (lock) {
      lock.notifyAll();
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    long backoffMs = 500;
    while (!closed) {
      try {
        // "since" is inclusive: ask from one nanosecond after the last event handled.
        client.events(lastEventNanos + 1, this::opened, this::onEvent);
        backoffMs = 500;
      } catch (IOException | RuntimeException e) {
        lastError = e.toString();
        if (!closed) {
          LOG.warn(
              "Docker events from {} interrupted ({}); reconnecting",
              client.socket(),
              e.toString());
        }
      } finally {
        connected = false;
      }
      if (!closed) {
        synchronized (lock) {
          try {
            lock.wait(backoffMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  private void opened(UnixHttpClient.Stream s) {
    stream = s;
    connected = true;
    lastError = null;
    if (closed) {
      s.close();
    }
  }

  private void onEvent(DockerEvent event) {
    lastEventNanos = Math.max(lastEventNanos, event.timeNano());
    if (event.action().equals("oom")) {
      Long previous = lastOomNanos.get(event.containerId());
      lastOomNanos.put(event.containerId(), event.timeNano());
      if (previous != null && event.timeNano() - previous < dedupWindowNanos) {
        return;
      }
    } else if (event.action().equals("destroy")) {
      lastOomNanos.remove(event.containerId());
    }
    try {
      handler.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("handling {} of {} failed", event.action(), event.containerId(), e);
    }
  }
}
