package dev.culprit.processor.fleet;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * every second, so a burst of late votes is a record a second, not one per vote. A vote later than
 * that is dropped and counted ({@link ProcessorMetrics#late}, kind {@value #LATE_KIND}).
 *
 * <p>Live, stream time moves only when a cause comes: when an episode ends everywhere, its last
 * windows would wait for the next cause of any host on this partition. So when no vote came for a
 * window of wall-clock time, windows close by the wall clock too, one window later than by stream
 * time (a vote that still comes is an update); which votes count is only ever judged by stream
 * time.
 *
 * <p>Replay of the same causes gives the same last record for each signature and window (every vote
 * within {@code acceptLate} counts, in whatever order); the records before it depend on how the
 * votes were interleaved.
 *
 * <p>The open windows of a task are bounded by {@code maxBytes} (keys, state, 8 bytes per vote,
 * {@value #ENTRY_OVERHEAD} per store entry): beyond it, windows below {@code minHosts} are
 * forgotten first, then the oldest go out with what they have and take no more votes, and a warning
 * says so — a signature is built from names any local user controls (a firewall rule's text), so
 * the bound must not stop the processor.
 */
final class FleetWindowProcessor implements Processor<String, RootCause, String, FleetIncident> {

  static final String LATE_KIND = "fleet-vote";

  /** Sorts after every window key (they start with hex digits): the newest start evicted. */
  static final String EVICTED_KEY = "~evicted-through";

  /** Per store entry: the map's node, the key and value objects and their headers, roughly. */
  static final long ENTRY_OVERHEAD = 100;

  private static final Logger LOG = LoggerFactory.getLogger(FleetWindowProcessor.class);
  private static final AtomicLong EVICTED = new AtomicLong();

  private final ProcessorMetrics metrics;
  private final int minHosts;
  private final long sizeMs;
  private final long closeAfterMs;
  private final long acceptLateMs;
  private final long maxBytes;
  private final boolean wallClock;
  private long lastVoteWallMs = Long.MIN_VALUE;
  private ProcessorContext<String, FleetIncident> context;
  private KeyValueStore<String, byte[]> windows;
  private FleetVoters voters;
  private long lastTick = Long.MIN_VALUE;
  private long approxBytes = -1;
  private Long evictedThrough;

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
    // Every second (or tenth of a window): late votes' updates go out within it.
    context.schedule(
        Duration.ofMillis(Math.max(1_000, sizeMs / 10)),
        PunctuationType.WALL_CLOCK_TIME,
        this::punctuate);
  }

  private void punctuate(long wallNowMs) {
    long streamTime = context.currentStreamTimeMs();
    long closeBy = streamTime;
    if (wallClock && wallNowMs - lastVoteWallMs >= sizeMs) {
      closeBy = Math.max(streamTime, wallNowMs - sizeMs);
    }
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
    lastVoteWallMs = context.currentSystemTimeMs();
    if (start + sizeMs + acceptLateMs <= now || start <= evictedThrough()) {
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
          held(key, bytes, w.hostCount) - (stored == null ? 0 : held(key, stored, w.hostCount - 1));
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
        if (e.key.equals(EVICTED_KEY)) {
          continue;
        }
        long start = startOf(e.key);
        FleetWindow w = FleetWindow.fromBytes(e.value);
        boolean gone = start + sizeMs + acceptLateMs <= now;
        // Closed before (by stream time, or by the wall clock ahead of it): its updates go out.
        if (w.closed || gone || start + sizeMs + closeAfterMs <= closeBy) {
          boolean firstClose = !w.closed;
          w.closed = true;
          if (emitIfChanged(e.key, start, w) || firstClose) {
            changed.add(KeyValue.pair(e.key, w));
          }
        }
        if (gone) {
          expired.add(e.key);
        } else {
          bytes += held(e.key, e.value, w.hostCount);
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

  /**
   * Over the bound, until a tenth of it is free: first the oldest windows with fewer than {@code
   * minHosts} hosts are forgotten (they are no incident; one a later vote reaches starts again,
   * from that vote); then, if that is not enough, the oldest windows go out with what they have and
   * are forgotten, whole window starts at a time, and votes for those starts are late from then on
   * (a vote for a forgotten incident must not start it again from nothing).
   */
  private void evictOldest() {
    long target = maxBytes - maxBytes / 10;
    long freed = 0;
    Set<String> small = new HashSet<>();
    List<KeyValue<String, FleetWindow>> whole = new ArrayList<>();
    long through = Long.MIN_VALUE;
    try (KeyValueIterator<String, byte[]> all = windows.all()) {
      while (all.hasNext() && approxBytes - freed > target) {
        KeyValue<String, byte[]> e = all.next();
        if (!e.key.equals(EVICTED_KEY)) {
          FleetWindow w = FleetWindow.fromBytes(e.value);
          if (w.hostCount < minHosts) {
            small.add(e.key);
            freed += held(e.key, e.value, w.hostCount);
          }
        }
      }
    }
    if (approxBytes - freed > target) {
      try (KeyValueIterator<String, byte[]> all = windows.all()) {
        while (all.hasNext()) {
          KeyValue<String, byte[]> e = all.next();
          if (e.key.equals(EVICTED_KEY) || small.contains(e.key)) {
            continue;
          }
          long start = startOf(e.key);
          if (approxBytes - freed <= target && start != through) {
            break; // freed enough, and the last start is evicted whole
          }
          FleetWindow w = FleetWindow.fromBytes(e.value);
          whole.add(KeyValue.pair(e.key, w));
          freed += held(e.key, e.value, w.hostCount);
          through = start;
        }
      }
    }
    for (String key : small) {
      windows.delete(key);
      voters.delete(key);
    }
    for (KeyValue<String, FleetWindow> e : whole) {
      e.value.closed = true;
      emitIfChanged(e.key, startOf(e.key), e.value);
      windows.delete(e.key);
      voters.delete(e.key);
    }
    if (through != Long.MIN_VALUE) {
      evictedThrough = Math.max(evictedThrough(), through);
      windows.put(EVICTED_KEY, ByteBuffer.allocate(Long.BYTES).putLong(evictedThrough).array());
    }
    approxBytes -= freed;
    long n = EVICTED.addAndGet(small.size() + whole.size());
    LOG.warn(
        "fleet windows over their bound of {} bytes: forgot {} windows of fewer than {} hosts and"
            + " {} more{} ({} so far); more distinct causes than the bound was sized for (a flood"
            + " of firewall rules?)",
        maxBytes,
        small.size(),
        minHosts,
        whole.size(),
        whole.isEmpty()
            ? ""
            : ", up to the start " + through + ", which went out early and take no more votes",
        n);
  }

  /** The newest window start evicted by the bound (votes for it or older are late). */
  private long evictedThrough() {
    if (evictedThrough == null) {
      byte[] stored = windows.get(EVICTED_KEY);
      evictedThrough = stored == null ? Long.MIN_VALUE : ByteBuffer.wrap(stored).getLong();
    }
    return evictedThrough;
  }

  /**
   * What a window holds, roughly: its key (UTF-8) in the window store and once per voter bucket,
   * its state, 8 bytes per voter, and {@value #ENTRY_OVERHEAD} bytes per store entry for the maps'
   * own objects.
   */
  static long held(String key, byte[] value, int hostCount) {
    long buckets = Math.min(hostCount, FleetVoters.BUCKETS);
    long keyBytes = utf8Length(key) + 2;
    return keyBytes * (1 + buckets)
        + value.length
        + (long) Long.BYTES * hostCount
        + ENTRY_OVERHEAD * (1 + buckets);
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
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
