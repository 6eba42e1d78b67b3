package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.docker.DockerClient;
import dev.culprit.collector.platform.docker.DockerContainer;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's view of each container, cached: inspected once, then again only when an event says
 * it changed (start, die, oom, restart). Safe for the collector thread and the event follower.
 */
final class EngineState {

  private static final Logger LOG = LoggerFactory.getLogger(EngineState.class);

  private final DockerClient client;
  private final Map<String, DockerContainer> byId = new ConcurrentHashMap<>();
  private volatile long lastWarningNanos;

  EngineState(DockerClient client) {
    this.client = client;
  }

  /** The cached view, inspecting the container when it is not cached; null when unknown. */
  DockerContainer get(String id) {
    DockerContainer cached = byId.get(id);
    return cached != null ? cached : refresh(id);
  }

  /** Inspects now (after an event) and caches the answer; null when unknown or unreachable. */
  DockerContainer refresh(String id) {
    try {
      Optional<DockerContainer> c = client.inspect(id);
      if (c.isPresent()) {
        byId.put(id, c.get());
        return c.get();
      }
      byId.remove(id);
      return null;
    } catch (IOException e) {
      warnRateLimited("cannot inspect container " + id + " on " + client.socket(), e);
      return byId.get(id);
    }
  }

  /** Forgets a container (destroyed). */
  void forget(String id) {
    byId.remove(id);
  }

  /** Drops cached containers no longer seen, so the cache does not grow forever. */
  void retainOnly(java.util.Set<String> alive) {
    byId.keySet().retainAll(alive);
  }

  private void warnRateLimited(String message, IOException e) {
    long now = System.nanoTime();
    if (now - lastWarningNanos > 60_000_000_000L) {
      lastWarningNanos = now;
      LOG.warn("{}: {}", message, e.toString());
    }
  }
}
