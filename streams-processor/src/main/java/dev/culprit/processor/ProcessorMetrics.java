package dev.culprit.processor;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The processor's own counts, taken where they happen in the topology: records in per sample topic
 * (at decode), records the host windows drop as late (per sample kind, at the node feeding each
 * kind's window aggregate), dead letters per reason class (at the nodes that emit them), causes
 * emitted per cause (at the nodes feeding the root-cause sinks), and how long after its end each
 * host window was judged. Kafka Streams' own metrics say how much it processed but not what culprit
 * made of it.
 *
 * <p>Plain adders shared by every stream thread: the hot paths (a record in, a late record) touch a
 * {@link LongAdder} resolved once per processor instance, so counting allocates nothing per record.
 * Counts are of processing, not of committed output: under exactly-once a task that is aborted and
 * replayed counts its records again, as Kafka Streams' own counters do.
 */
public final class ProcessorMetrics {

  private static final Cause[] CAUSES = Cause.values();

  private final Map<String, LongAdder> recordsIn = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> late = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLetters = new ConcurrentHashMap<>();
  private final LongAdder[] causes = new LongAdder[CAUSES.length];
  private final LongAdder windowsClosed = new LongAdder();
  private final AtomicLong lastCloseLagMs = new AtomicLong(-1);
  private final AtomicLong maxCloseLagMs = new AtomicLong(-1);

  public ProcessorMetrics() {
    for (int i = 0; i < causes.length; i++) {
      causes[i] = new LongAdder();
    }
  }

  /** The counter of records consumed from {@code topic}; resolve once, increment per record. */
  public LongAdder recordsIn(String topic) {
    return recordsIn.computeIfAbsent(topic, t -> new LongAdder());
  }

  /** The counter of records of sample kind {@code kind} that a window aggregate drops as late. */
  public LongAdder late(String kind) {
    return late.computeIfAbsent(kind, k -> new LongAdder());
  }

  /**
   * Counts one dead letter of {@code stage} (as written in the letter). The reason class is the
   * stage up to its first ':' or ' ' ({@code rules:QdiscLossRule netns=x} → {@code rules}), so the
   * label set stays small.
   */
  public void deadLettered(String stage) {
    deadLetters.computeIfAbsent(reasonClass(stage), s -> new LongAdder()).increment();
  }

  /** Counts the causes about to be published. */
  public void emitted(List<RootCause> emitted) {
    for (int i = 0; i < emitted.size(); i++) {
      causes[emitted.get(i).getCause().ordinal()].increment();
    }
  }

  /** A host window judged {@code lagMs} of wall-clock time after its end. */
  public void windowClosed(long lagMs) {
    windowsClosed.increment();
    lastCloseLagMs.set(lagMs);
    maxCloseLagMs.accumulateAndGet(lagMs, Math::max);
  }

  static String reasonClass(String stage) {
    if (stage == null || stage.isEmpty()) {
      return "unknown";
    }
    int end = stage.length();
    for (int i = 0; i < stage.length(); i++) {
      char c = stage.charAt(i);
      if (c == ':' || c == ' ') {
        end = i;
        break;
      }
    }
    return stage.substring(0, end);
  }

  /** Records in per topic, sorted by topic. */
  public Map<String, Long> recordsIn() {
    return snapshot(recordsIn);
  }

  /** Late records per sample kind, sorted. */
  public Map<String, Long> late() {
    return snapshot(late);
  }

  /** Dead letters per reason class, sorted. */
  public Map<String, Long> deadLetters() {
    return snapshot(deadLetters);
  }

  /** Causes emitted per cause, every cause (zero included), in the enum's order. */
  public Map<Cause, Long> causesEmitted() {
    Map<Cause, Long> out = new java.util.EnumMap<>(Cause.class);
    for (Cause c : CAUSES) {
      out.put(c, causes[c.ordinal()].sum());
    }
    return out;
  }

  public long windowsClosed() {
    return windowsClosed.sum();
  }

  /** The close lag of the last window judged, ms; -1 before the first. */
  public long lastCloseLagMs() {
    return lastCloseLagMs.get();
  }

  /** The largest close lag since start, ms; -1 before the first window. */
  public long maxCloseLagMs() {
    return maxCloseLagMs.get();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
