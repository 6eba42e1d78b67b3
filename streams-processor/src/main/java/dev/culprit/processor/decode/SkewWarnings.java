package dev.culprit.processor.decode;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log line that makes a host's clock jump visible without flooding the log: a skewed host sends
 * every sample type every cycle, on every task, so it is logged at most once per host per minute.
 * The dead letters carry every record.
 */
final class SkewWarnings {

  private static final Logger LOG = LoggerFactory.getLogger(SkewWarnings.class);
  private static final long EVERY_MS = Duration.ofMinutes(1).toMillis();
  // Hosts are few, but keys come from the input: never let the map grow without bound.
  private static final int MAX_HOSTS = 10_000;
  private static final ConcurrentMap<String, Long> LAST_LOGGED = new ConcurrentHashMap<>();

  private SkewWarnings() {}

  static void warn(String host, String topic, Duration ahead) {
    warn(host, topic, ahead, System.currentTimeMillis());
  }

  /** Whether it logged: the first time for a host, then after a minute of silence. */
  static boolean warn(String host, String topic, Duration ahead, long nowMs) {
    String key = String.valueOf(host);
    Long last = LAST_LOGGED.get(key);
    if (last != null && nowMs - last < EVERY_MS) {
      return false;
    }
    if (LAST_LOGGED.size() >= MAX_HOSTS) {
      LAST_LOGGED.clear();
    }
    if (last == null
        ? LAST_LOGGED.putIfAbsent(key, nowMs) != null
        : !LAST_LOGGED.replace(key, last, nowMs)) {
      return false; // another thread logged it just now
    }
    LOG.warn(
        "clock of host {} is {} ahead of the processor's: its samples ({} and others) go to the"
            + " dead-letter topic until it is right again",
        key,
        ahead,
        topic);
    return true;
  }
}
