package dev.culprit.processor.packetloss;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.processor.decode.DeadLetters;
import dev.culprit.processor.rules.RuleResult;
import dev.culprit.processor.rules.packetloss.KernelDropReasons;
import dev.culprit.processor.rules.packetloss.PacketLossRule;
import dev.culprit.processor.window.DropStreaks;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.HostWindowState;
import dev.culprit.processor.window.HostWindows;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every packet-loss rule over every namespace of a closed host window. The result is keyed by
 * host and stamped with the window start, so downstream windows of the same size (fleet
 * correlation) put it in the same window. Every closed window gets a result, with or without
 * causes, because cause lifecycles count the windows a cause was absent from. A rule that throws
 * becomes a dead letter holding the aggregate it failed on; the other rules' causes still go out.
 * The runs of drops window after window ({@link DropStreaks}) are kept per host in {@link
 * PacketLossTopology#STREAKS_STORE}, which also says which window of the host was judged last: a
 * window is judged once, even when the suppression emits it again.
 *
 * <p>A window is judged once, so it is judged whole. The suppression closes a window when the
 * largest timestamp it has seen passes the window's end plus grace, whichever input it came from;
 * but Kafka Streams reads a task's input partitions in timestamp order only as far as it has
 * fetched them (a partition whose last fetch found nothing new is not waited for, a partition whose
 * leader moved is not readable for seconds), so the next window's samples of one source can close a
 * window before another source's samples of it were read. Such a window would be judged without
 * them and, judged once, never again with them: causes lost or told without their symptoms. So a
 * window lacking a source (namespace and sample topic) that the host's last judged window had is
 * held back in {@link PacketLossTopology#HELD_STORE} until the late source updates it (the
 * suppression emits it again) or, at the latest, until stream time passes its end plus grace plus
 * one window, when it is judged with what it has: a source that stopped (a container gone) delays
 * its host's causes by a window once.
 */
final class RuleProcessor
    implements Processor<Windowed<String>, HostWindowState, String, RuleResult> {

  private static final Logger LOG = LoggerFactory.getLogger(RuleProcessor.class);

  private final List<PacketLossRule> rules;
  private final ProcessorMetrics metrics;
  private final long patienceMs;
  private final long sizeMs;
  private final long lookbackMs;
  private final long forgetAfterMs;
  private ProcessorContext<String, RuleResult> context;
  private KeyValueStore<String, byte[]> streakStore;
  private KeyValueStore<String, byte[]> heldStore;
  private TimestampedWindowStore<String, HostWindowState> windowStore;

  /**
   * @param windowSize the windows' size: how much longer than the grace a window lacking a source
   *     is held back
   * @param grace the windows' grace
   * @param forgetAfter a host with no window judged for this long (stream time) is forgotten: its
   *     streaks and the sources its last window had are deleted, so hosts that leave the fleet do
   *     not stay in the stores and their changelogs forever
   */
  RuleProcessor(
      List<PacketLossRule> rules,
      ProcessorMetrics metrics,
      Duration windowSize,
      Duration grace,
      Duration forgetAfter) {
    this.rules = rules;
    this.forgetAfterMs = forgetAfter.toMillis();
    this.metrics = metrics;
    this.sizeMs = windowSize.toMillis();
    this.patienceMs = grace.toMillis() + sizeMs;
    // The windows the store can still hold (it keeps size + grace): looked up before each window.
    this.lookbackMs = (1 + (sizeMs + grace.toMillis()) / sizeMs) * sizeMs;
  }

  @Override
  public void init(ProcessorContext<String, RuleResult> context) {
    this.context = context;
    this.streakStore = context.getStateStore(PacketLossTopology.STREAKS_STORE);
    this.heldStore = context.getStateStore(PacketLossTopology.HELD_STORE);
    this.windowStore = context.getStateStore(PacketLossTopology.WINDOW_STORE);
    // Stream time, not wall clock: a replay of the same samples holds and judges the same windows.
    context.schedule(
        Duration.ofMillis(Math.max(1, sizeMs / 10)), PunctuationType.STREAM_TIME, this::judgeDue);
    context.schedule(
        Duration.ofMillis(Math.max(sizeMs, forgetAfterMs / 6)),
        PunctuationType.STREAM_TIME,
        this::forgetSilentHosts);
  }

  /** Deletes the state of hosts whose last judged window is older than {@code forgetAfter}. */
  private void forgetSilentHosts(long streamTimeMs) {
    long cutoff = streamTimeMs - forgetAfterMs;
    List<String> silent = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = streakStore.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (DropStreaks.judgedUpTo(kv.value) < cutoff) {
          silent.add(kv.key);
        }
      }
    }
    for (String host : silent) {
      streakStore.delete(host);
      heldStore.delete(host);
      heldStore.delete(HeldWindows.HELD_PREFIX + host);
    }
    if (!silent.isEmpty()) {
      LOG.info("forgot {} host(s) with no window for {} s", silent.size(), forgetAfterMs / 1000);
    }
  }

  @Override
  public void process(Record<Windowed<String>, HostWindowState> record) {
    Windowed<String> key = record.key();
    String host = key.key();
    long start = key.window().start();
    long end = key.window().end();
    long judgedUpTo = DropStreaks.judgedUpTo(streakStore.get(host));
    if (judgedUpTo >= start) {
      // The window was judged and its causes sent already. The suppression emits a closed window
      // again when an update reaches it after it closed: each cogrouped input of the windowed
      // aggregate keeps its own stream time (and starts it afresh when its task moves to another
      // instance), so a probe round coming through its repartition topics a commit or two late,
      // or a sample kind fetched behind the others, still updates a window the rest closed.
      LOG.debug("window {} of {} judged already; not judged again", start, host);
      return;
    }
    HeldWindows.Held held = HeldWindows.decodeHeld(heldStore.get(HeldWindows.HELD_PREFIX + host));
    // The host's earlier windows not judged yet go first, oldest first, so no window is passed
    // over. The suppression evicts in window order only what it holds, and the aggregate's cache
    // passes windows on in the order they were last updated: when several windows of a host are
    // updated within one commit (a backlog after a restart or a move), an older window updated
    // last (a probe round, a late source) reaches the suppression after a newer one that closed.
    // It is still in the store (its cache) then. A later window closed, so stream time is past
    // the earlier ones' patience: they are judged with what they have.
    judgeEarlier(host, start, held, judgedUpTo);
    HostWindowState aggregate = record.value();
    boolean wasHeld = false;
    if (held != null && held.startMs() == start) {
      aggregate = HostWindows.union(held.aggregate(), aggregate);
      wasHeld = true;
    } else if (held != null && held.startMs() > start) {
      // Older than the one held (its host had no samples in it until now): judging it now keeps
      // the host's windows judged in order.
      judge(host, new HeldWindows.Held(start, end, aggregate), false);
      return;
    }
    HeldWindows.Held window = new HeldWindows.Held(start, end, aggregate);
    if (context.currentStreamTimeMs() < end + patienceMs) {
      List<String> missing = missing(host, aggregate);
      if (!missing.isEmpty()) {
        LOG.debug("window {} of {} lacks {}; held until they come", start, host, missing);
        heldStore.put(HeldWindows.HELD_PREFIX + host, HeldWindows.encodeHeld(window));
        return;
      }
    }
    judge(host, window, wasHeld);
  }

  /**
   * Judges the host's windows before {@code start} that were not judged yet and that the store
   * (cache included) still has, or that are held, oldest first.
   *
   * @param held the host's held window, or null; judged here only if it starts before {@code start}
   */
  private void judgeEarlier(String host, long start, HeldWindows.Held held, long judgedUpTo) {
    long first = start - lookbackMs;
    if (held != null && held.startMs() < start) {
      first = Math.min(first, held.startMs());
    }
    for (long s = first; s < start; s += sizeMs) {
      if (s <= judgedUpTo) {
        continue;
      }
      boolean wasHeld = held != null && held.startMs() == s;
      HostWindowState stored = stored(host, s);
      HostWindowState earlier =
          wasHeld
              ? (stored == null ? held.aggregate() : HostWindows.union(held.aggregate(), stored))
              : stored;
      if (earlier != null) {
        judge(host, new HeldWindows.Held(s, s + sizeMs, earlier), wasHeld);
      }
    }
  }

  /** The window's aggregate as the store holds it now (its cache included); null if none. */
  private HostWindowState stored(String host, long start) {
    ValueAndTimestamp<HostWindowState> v = windowStore.fetch(host, start);
    return v == null ? null : v.value();
  }

  /** Judges the held windows stream time has gone a window past, with what they have. */
  private void judgeDue(long streamTimeMs) {
    List<KeyValue<String, byte[]>> due = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        heldStore.prefixScan(HeldWindows.HELD_PREFIX, new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (streamTimeMs >= HeldWindows.decodeHeld(kv.value).endMs() + patienceMs) {
          due.add(kv);
        }
      }
    }
    for (KeyValue<String, byte[]> kv : due) {
      HeldWindows.Held held = HeldWindows.decodeHeld(kv.value);
      String host = kv.key.substring(HeldWindows.HELD_PREFIX.length());
      // Earlier windows first, as process does: judged after this one, they would be skipped.
      judgeEarlier(host, held.startMs(), null, DropStreaks.judgedUpTo(streakStore.get(host)));
      HostWindowState stored = stored(host, held.startMs());
      HostWindowState aggregate =
          stored == null ? held.aggregate() : HostWindows.union(held.aggregate(), stored);
      LOG.debug(
          "window {} of {} still lacks {}; judged without",
          held.startMs(),
          host,
          missing(host, aggregate));
      judge(host, new HeldWindows.Held(held.startMs(), held.endMs(), aggregate), true);
    }
  }

  /** The sources the host's last judged window had that {@code aggregate} lacks. */
  private List<String> missing(String host, HostWindowState aggregate) {
    List<String> missing = new ArrayList<>(HeldWindows.decodeSources(heldStore.get(host)));
    missing.removeAll(HostWindows.sources(aggregate));
    return missing;
  }

  private void judge(String host, HeldWindows.Held w, boolean wasHeld) {
    if (wasHeld) {
      heldStore.delete(HeldWindows.HELD_PREFIX + host);
    }
    long start = w.startMs();
    // Wall clock against the window's end: the grace, plus however far the processor is behind.
    metrics.windowClosed(System.currentTimeMillis() - w.endMs());
    byte[] stored = streakStore.get(host);
    DropStreaks streaks = DropStreaks.continuing(start, w.endMs() - start, stored);
    HostWindow window = HostWindow.decode(host, start, w.endMs(), w.aggregate(), streaks);
    List<RootCause> causes = new ArrayList<>();
    List<DeadLetter> failures = new ArrayList<>();
    for (NetnsWindow netns : window.namespaces()) {
      for (PacketLossRule rule : rules) {
        try {
          causes.addAll(rule.evaluate(netns));
        } catch (RuntimeException e) {
          LOG.error(
              "rule {} failed on {}/{} window {}",
              rule.getClass().getSimpleName(),
              host,
              netns.netns(),
              start,
              e);
          failures.add(
              DeadLetters.of(
                  context.recordMetadata(),
                  start,
                  host,
                  w.aggregate().toBytes(),
                  "rules:" + rule.getClass().getSimpleName() + " netns=" + netns.netns(),
                  e.toString(),
                  e));
        }
      }
    }
    // The kernel's own drop reasons (--drop-reasons), where the host publishes them.
    KernelDropReasons.quote(window, causes);
    streakStore.put(host, streaks.toBytes());
    byte[] sources = HeldWindows.encodeSources(HostWindows.sources(w.aggregate()));
    if (!java.util.Arrays.equals(sources, heldStore.get(host))) {
      heldStore.put(host, sources);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "window {} of {} judged: {} causes from {}",
          start,
          host,
          causes.size(),
          HostWindows.sources(w.aggregate()).size());
    }
    // Forwarded even when empty: a closed window without causes is what ends a cause's episode.
    context.forward(new Record<>(host, new RuleResult(causes, failures), start));
  }
}
