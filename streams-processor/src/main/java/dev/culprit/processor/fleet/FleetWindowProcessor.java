package dev.culprit.processor.fleet;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, per cause signature and fleet window, the hosts whose window had that cause, and emits a
 * fleet incident for a window once its time has passed and at least {@code minHosts} hosts voted.
 *
 * <p><b>Votes arrive late, and unevenly.</b> Each host window's causes come when that host's own
 * progress closes the window (a host draining its spool after an outage, a host whose clock is
 * ahead within the allowed skew), and each processor instance works through its partitions at its
 * own pace, so the votes of one window reach this partition spread over minutes of its stream time.
 * A window is first emitted when stream time passes its end plus {@code closeAfter} (the host
 * windows' grace and one window more), as a suppressed windowed count would; a vote that comes
 * later, within {@code acceptLate} of the window's end, still counts and the window is emitted
 * again with its new count (a later record for the same signature and window supersedes the earlier
 * one). Updates go out when stream time crosses a window boundary, and on a wall-clock punctuation
 * when stream time stands still, so a burst of late votes is one record, not one per vote. A vote
 * later than that is dropped and counted ({@link ProcessorMetrics#late}, kind {@value #LATE_KIND}).
 *
 * <p>Replay of the same causes gives the same last record for each signature and window (every vote
 * within {@code acceptLate} counts, in whatever order); the records before it depend on how the
 * votes were interleaved.
 *
 * <p>The open windows are bounded by {@code maxBytes} (keys, state and 8 bytes per vote): beyond
 * it, the oldest window is emitted with what it has and forgotten, and a warning says so — a
 * signature is built from names any local user controls (a firewall rule's text), so the bound must
 * not stop the processor.
 */
final class FleetWindowProcessor implements Processor<String, RootCause, String, FleetIncident> {

  static final String LATE_KIND = "fleet-vote";

  private static final Logger LOG = LoggerFactory.getLogger(FleetWindowProcessor.class);
  private static final AtomicLong EVICTED = new AtomicLong();

  private final ProcessorMetrics metrics;
  private final int minHosts;
  private final long sizeMs;
  private final long closeAfterMs;
  private final long acceptLateMs;
  private final long maxBytes;
  private final boolean wallClock;
  private boolean votedSincePunctuation;
  private ProcessorContext<String, FleetIncident> context;
  private KeyValueStore<String, byte[]> windows;
  private FleetVoters voters;
  private long lastTick = Long.MIN_VALUE;
  private long approxBytes = -1;

  /**
   * @param closeAfter a window is first emitted when stream time passes its end plus this
   * @param acceptLate votes for a window are counted until stream time passes its end plus this (at
   *     least {@code closeAfter})
   */
  FleetWindowProcessor(
      ProcessorMetrics metrics,
      int minHosts,
      Duration windowSize,
      Duration closeAfter,
      Duration acceptLate,
      long maxBytes,
      boolean wallClock) {
    this.metrics = metrics;
    this.wallClock = wallClock;
    this.minHosts = minHosts;
    this.sizeMs = windowSize.toMillis();
    this.closeAfterMs = closeAfter.toMillis();
    this.acceptLateMs = Math.max(closeAfterMs, acceptLate.toMillis());
    this.maxBytes = maxBytes;
  }

  @Override
  public void init(ProcessorContext<String, FleetIncident> context) {
    this.context = context;
    this.windows = context.getStateStore(FleetTopology.WINDOW_STORE);
    this.voters = new FleetVoters(context.getStateStore(FleetTopology.VOTER_STORE));
    context.schedule(Duration.ofMillis(sizeMs), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  private void punctuate(long wallNowMs) {
    long streamTime = context.currentStreamTimeMs();
    long closeBy = streamTime;
    if (wallClock && !votedSincePunctuation) {
      closeBy = Math.max(streamTime, wallNowMs - sizeMs);
    }
    votedSincePunctuation = false;
    scan(closeBy, streamTime);
  }

  @Override
  public void process(Record<String, RootCause> record) {
    String signature = record.key();
    RootCause cause = record.value();
    if (signature == null || cause == null) {
      return;
    }
    long timeMs = record.timestamp();
    long start = timeMs - Math.floorMod(timeMs, sizeMs);
    long now = context.currentStreamTimeMs();
    votedSincePunctuation = true;
    if (start + sizeMs + acceptLateMs <= now) {
      metrics.late(LATE_KIND).increment();
      LOG.debug(
          "vote of {} for {} at {} came {} ms after its window's end: not counted",
          cause.getHost(),
          signature,
          start,
          now - start - sizeMs);
    } else {
      vote(start, signature, cause);
    }
    long tick = Math.floorDiv(now - closeAfterMs, sizeMs);
    if (tick != lastTick) {
      lastTick = tick;
      scan(now, now);
    }
  }

  private void vote(long start, String signature, RootCause cause) {
    String key = windowKey(start, signature);
    if (!voters.add(key, cause.getHost())) {
      return; // The same host again (two OOM kills in one window): counted already.
    }
    byte[] stored = windows.get(key);
    FleetWindow w = stored == null ? new FleetWindow() : FleetWindow.fromBytes(stored);
    w.add(cause.getHost(), cause.getCause());
    byte[] bytes = w.toBytes();
    windows.put(key, bytes);
    if (approxBytes >= 0) {
      approxBytes +=
          Long.BYTES + bytes.length - (stored == null ? -2L * key.length() : stored.length);
      if (approxBytes > maxBytes) {
        evictOldest();
      }
    }
  }

  /**
   * Emits the windows whose time has passed by {@code closeBy} and the updates of those emitted
   * before, and forgets the windows no vote may reach any more by stream time {@code now}.
   */
  private void scan(long closeBy, long now) {
    List<KeyValue<String, FleetWindow>> changed = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    long bytes = 0;
    try (KeyValueIterator<String, byte[]> all = windows.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        long start = startOf(e.key);
        FleetWindow w = FleetWindow.fromBytes(e.value);
        boolean gone = start + sizeMs + acceptLateMs <= now;
        if (gone || start + sizeMs + closeAfterMs <= closeBy) {
          boolean firstClose = !w.closed;
          w.closed = true;
          if (emitIfChanged(e.key, start, w) || firstClose) {
            changed.add(KeyValue.pair(e.key, w));
          }
        }
        if (gone) {
          expired.add(e.key);
        } else {
          bytes += held(e.key, e.value, w);
        }
      }
    }
    for (KeyValue<String, FleetWindow> c : changed) {
      windows.put(c.key, c.value.toBytes());
    }
    for (String key : expired) {
      windows.delete(key);
      voters.delete(key);
    }
    approxBytes = bytes;
  }

  /** Over the bound: the oldest window goes out with what it has, and is forgotten. */
  private void evictOldest() {
    String key;
    byte[] value;
    try (KeyValueIterator<String, byte[]> all = windows.all()) {
      if (!all.hasNext()) {
        return;
      }
      KeyValue<String, byte[]> e = all.next();
      key = e.key;
      value = e.value;
    }
    FleetWindow w = FleetWindow.fromBytes(value);
    long start = startOf(key);
    w.closed = true;
    emitIfChanged(key, start, w);
    windows.delete(key);
    voters.delete(key);
    approxBytes -= held(key, value, w);
    long n = EVICTED.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      LOG.warn(
          "fleet windows over their bound of {} bytes: the window at {} of {} went out with {}"
              + " hosts before its time ({} so far); more distinct causes than the bound was"
              + " sized for",
          maxBytes,
          start,
          signatureOf(key),
          w.hostCount,
          n);
    }
  }

  /** What a window holds, roughly: its key in both stores, its state, its voters' hashes. */
  private static long held(String key, byte[] value, FleetWindow w) {
    return 2L * key.length() + value.length + (long) Long.BYTES * w.hostCount;
  }

  private boolean emitIfChanged(String key, long start, FleetWindow w) {
    if (!w.changedSinceEmitted() || w.hostCount < minHosts) {
      return false;
    }
    w.emittedCount = w.hostCount;
    FleetIncident incident =
        FleetIncident.newBuilder()
            .setSignature(signatureOf(key))
            .setCause(w.cause)
            .setWindowStartMs(start)
            .setWindowEndMs(start + sizeMs)
            .setHostCount(w.hostCount)
            .setHosts(new ArrayList<>(w.listed))
            .setSummary(summary(signatureOf(key), w))
            .build();
    context.forward(new Record<>(incident.getSignature(), incident, start));
    return true;
  }

  static String summary(String signature, FleetWindow w) {
    boolean more = w.hostCount > w.listed.size();
    return signature
        + " on "
        + w.hostCount
        + " hosts in the same window ("
        + String.join(", ", w.listed)
        + (more ? ", …" : "")
        + ").";
  }

  /**
   * The store key: the window start as 16 hex digits (so keys sort by time), the signature's length
   * as 8, then the signature — self-delimiting whatever the signature holds.
   */
  static String windowKey(long start, String signature) {
    return String.format("%016x%08x", start, signature.length()) + signature;
  }

  static long startOf(String key) {
    return Long.parseUnsignedLong(key.substring(0, 16), 16);
  }

  static String signatureOf(String key) {
    int length = Integer.parseInt(key.substring(16, 24), 16);
    return key.substring(24, 24 + length);
  }
}
