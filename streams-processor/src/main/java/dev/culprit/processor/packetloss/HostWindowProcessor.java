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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * Folds every network sample and probe round of a host into that host's tumbling windows, closes
 * each window by the host's own progress, and runs every packet-loss rule over every namespace of
 * the closed window. The result is keyed by host and stamped with the window start, so downstream
 * windows of the same size (fleet correlation) put it in the same window. Every closed window gets
 * a result, with or without causes, because cause lifecycles count the windows a cause was absent
 * from. A rule that throws becomes a dead letter holding the aggregate it failed on; the other
 * rules' causes still go out.
 *
 * <p><b>Time is the host's own.</b> A window of host H closes when every sample topic H's last
 * judged window had has brought a sample of H at or after the window's end plus grace ({@link
 * HostProgress}): a collector publishes each topic in time order and a partition keeps it, so the
 * window then holds all of H's samples of it, however the task interleaved its partitions. Other
 * hosts' samples never close H's windows, so
 *
 * <ul>
 *   <li>a host whose spool held its samples through an outage gets every window of the outage
 *       judged when they arrive, minutes later, and live its causes carry a {@value #LATE_HEADER}
 *       header saying how long after the window's end (wall clock) they were judged (the event
 *       itself is the same as a replay's);
 *   <li>a host ahead of the others (a skewed clock within the allowed skew) closes only its own
 *       windows early;
 *   <li>a window is never judged before a slower topic of its own host was read: no work-around for
 *       fetch order is needed.
 * </ul>
 *
 * <p>A topic the host stopped sending (a source that failed, {@code --firewall-every}) is not
 * waited for beyond one more window: once the host's other samples reach the window's end plus
 * grace plus one window and the missing topic has brought nothing for a window and grace of stream
 * time, the window is judged with what it has. A topic merely read behind the others (a drained
 * spool is fetched topic by topic) keeps arriving and is waited for. Live, the missing topic must
 * also have brought nothing of the host for a window and grace of wall clock: stream time alone
 * cannot tell a stopped topic from one whose partition is fetched behind the task's others (one
 * broker answers later, a partition's leader moves, a task taken over catches up), since those
 * others move stream time on without it. A host that stopped sending altogether keeps its open
 * windows for {@code hostSilence} of stream time after its last record arrived (an outage its spool
 * bridges loses nothing), then they are judged with what they have; after {@code forgetAfter}
 * without a sample its state is deleted. Each host holds at most {@value #MIN_OPEN_WINDOWS} open
 * windows, or as many as the host silence spans and two more (probe rounds of other hosts open
 * windows of a silent host): a clock jumping back and forth cannot grow the store, and beyond that
 * the oldest is judged with what it has.
 *
 * <p>A sample of a window already judged is late for its host: it is dropped and counted per kind
 * ({@link ProcessorMetrics#late}); a window is judged once, so a cause is never emitted, revised
 * and emitted again. Probe rounds are other hosts' measurements: they join the target's window if
 * it is still open and never move its progress.
 *
 * <p>Replay gives the same events for windows its host's own topics closed: that depends only on
 * the host's records, in the order each topic was written. Windows closed otherwise (a stopped
 * topic, a silence, the open-window bound) depend on stream time, so on how the partitions were
 * interleaved, as probe rounds reaching a window do.
 */
final class HostWindowProcessor implements Processor<String, WindowInput, String, RuleResult> {

  /** See {@link PacketLossTopology#JUDGED_LATE_HEADER}. */
  static final String LATE_HEADER = PacketLossTopology.JUDGED_LATE_HEADER;

  /**
   * The fewest windows a host may have open; the bound is larger when the host silence spans more
   * windows, since probe rounds to a silent host keep opening windows it will fill when it is back.
   */
  static final int MIN_OPEN_WINDOWS = 16;

  private static final Logger LOG = LoggerFactory.getLogger(HostWindowProcessor.class);

  private final List<PacketLossRule> rules;
  private final ProcessorMetrics metrics;
  private final long sizeMs;
  private final long graceMs;
  private final long forgetAfterMs;
  private final long silenceMs;
  private final int maxOpenWindows;
  private final boolean wallClock;
  private ProcessorContext<String, RuleResult> context;
  private KeyValueStore<String, HostWindowState> windowStore;
  private KeyValueStore<String, byte[]> progressStore;
  private KeyValueStore<String, byte[]> streakStore;

  /**
   * Live only: per host and sample topic, the wall clock when this instance last read a sample of
   * it. Not stored: a task that moved here waits a window and grace of wall clock from its start.
   */
  private final Map<String, Map<String, Long>> readAtMs = new HashMap<>();

  /**
   * Live only: hosts read in the task's first window and grace of wall clock whose first window was
   * not judged yet; looked at again once that time has passed ({@link #firstTopicsSettled}).
   */
  private final java.util.Set<String> waitingForStart = new java.util.HashSet<>();

  private org.apache.kafka.streams.processor.Cancellable startWait;

  private long startedAtMs;

  /**
   * @param windowSize the windows' size
   * @param grace how far past a window's end a host's topics must be before it closes (probe rounds
   *     of other hosts reach it through two repartition topics)
   * @param hostSilence how long (stream time) after a host's last record its open windows wait for
   *     more (see {@link dev.culprit.processor.ProcessorConfig#hostSilence})
   * @param forgetAfter a host with no sample for this long (stream time) is forgotten: its open
   *     windows are judged and its progress, streaks and windows deleted
   */
  HostWindowProcessor(
      List<PacketLossRule> rules,
      ProcessorMetrics metrics,
      Duration windowSize,
      Duration grace,
      Duration hostSilence,
      Duration maxClockSkew,
      boolean wallClock,
      Duration forgetAfter) {
    this.rules = rules;
    this.wallClock = wallClock;
    this.metrics = metrics;
    this.sizeMs = windowSize.toMillis();
    this.graceMs = grace.toMillis();
    this.silenceMs = hostSilence.toMillis();
    this.forgetAfterMs = forgetAfter.toMillis();
    // Probe rounds of a silent host, or of a prober whose clock is ahead, open windows beyond its
    // own samples: the bound spans both.
    this.maxOpenWindows =
        (int)
            Math.max(
                MIN_OPEN_WINDOWS,
                Math.min(100_000, (silenceMs + maxClockSkew.toMillis() + graceMs) / sizeMs + 3));
  }

  @Override
  public void init(ProcessorContext<String, RuleResult> context) {
    this.context = context;
    this.windowStore = context.getStateStore(PacketLossTopology.WINDOW_STORE);
    this.progressStore = context.getStateStore(PacketLossTopology.PROGRESS_STORE);
    this.streakStore = context.getStateStore(PacketLossTopology.STREAKS_STORE);
    this.startedAtMs = context.currentSystemTimeMs();
    if (wallClock) {
      startWait =
          context.schedule(
              Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::judgeWaitingForStart);
    }
    // Stream time, not wall clock: a replay of the same samples judges the same silent hosts. At
    // least once a minute of it, so neither a long silence nor forgetting waits for hours.
    long every = Math.min(silenceMs > 0 ? silenceMs : sizeMs, Math.min(forgetAfterMs, 60_000));
    context.schedule(
        Duration.ofMillis(Math.max(1, every / 10)),
        PunctuationType.STREAM_TIME,
        this::judgeSilentHosts);
  }

  @Override
  public void process(Record<String, WindowInput> record) {
    String host = record.key();
    if (host == null) {
      return; // Sample topics are keyed by host; decode dead-letters what is not.
    }
    WindowInput input = record.value();
    long timeMs = record.timestamp();
    long start = timeMs - Math.floorMod(timeMs, sizeMs);
    HostProgress progress = progress(host);
    if (input.progressTopic() != null) {
      progress.saw(input.progressTopic(), timeMs, context.currentStreamTimeMs(), sizeMs + graceMs);
      if (wallClock) {
        long now = context.currentSystemTimeMs();
        readAtMs.computeIfAbsent(host, h -> new HashMap<>()).put(input.progressTopic(), now);
        if (startWait != null && progress.expected.isEmpty()) {
          waitingForStart.add(host);
        }
      }
    }
    if (start <= DropStreaks.judgedUpTo(streakStore.get(host))) {
      // Judged already (its host's topics had all passed it, or the host fell silent too long).
      metrics.late(input.lateName()).increment();
      LOG.debug("{} of {} at {}: its window was judged already", input.lateName(), host, timeMs);
    } else {
      String key = windowKey(host, start);
      HostWindowState aggregate = windowStore.get(key);
      windowStore.put(key, input.addTo(aggregate == null ? HostWindows.empty() : aggregate));
      progress.open.add(start);
    }
    closeReady(host, progress);
    progressStore.put(host, progress.toBytes());
  }

  /** Judges, oldest first, the host's open windows its own progress has closed. */
  private void closeReady(String host, HostProgress progress) {
    while (!progress.open.isEmpty()) {
      long start = progress.open.first();
      long end = start + sizeMs;
      // Before its first judged window, which topics the host publishes is not known yet.
      boolean known = !progress.expected.isEmpty() || firstTopicsSettled(progress, end);
      boolean complete = known && progress.allPast(end + graceMs);
      boolean sourceStopped =
          known
              && progress.lastSeenMs >= end + graceMs + sizeMs
              && progress.laggingTopicsStopped(
                  end + graceMs, context.currentStreamTimeMs() - sizeMs - graceMs)
              && laggingTopicsQuiet(host, progress, end + graceMs);
      boolean tooMany = progress.open.size() > maxOpenWindows;
      if (!complete && !sourceStopped && !tooMany) {
        return;
      }
      if (!complete && LOG.isDebugEnabled()) {
        LOG.debug(
            "window {} of {} judged without all of {} ({})",
            start,
            host,
            progress.lagging(end + graceMs),
            tooMany ? "too many open windows" : "a topic stopped");
      }
      judgeOpen(host, progress, start);
    }
  }

  /**
   * Live, whether every topic the host's window still waits for (none of its samples at or after
   * {@code timeMs}) has also brought nothing of the host for a window and grace of wall clock; in a
   * replay, always (stream time decides alone, so a replay judges the same).
   */
  private boolean laggingTopicsQuiet(String host, HostProgress progress, long timeMs) {
    if (!wallClock) {
      return true;
    }
    long quietSince = context.currentSystemTimeMs() - sizeMs - graceMs;
    Map<String, Long> read = readAtMs.getOrDefault(host, Map.of());
    for (String topic : progress.lagging(timeMs)) {
      if (read.getOrDefault(topic, startedAtMs) > quietSince) {
        return false;
      }
    }
    return true;
  }

  /**
   * Before a host's first judged window nothing says which topics it publishes, so its topics seen
   * so far being past the window is not enough: a topic whose partition is read behind the others
   * would be judged without, and its samples of the window dropped as late. The first window also
   * waits until the host's own samples are a window past its end plus grace; a topic that brought
   * nothing by then is taken as one the host does not publish. Live, stream time says little in a
   * task's first window and grace of wall clock: a task starting on a backlog (a processor started
   * after its collectors, a task taken over from a stopped instance) moves it minutes on in
   * seconds, while the first fetch of one of its partitions may come back after the others' (a
   * Kafka Streams task does not wait for a partition whose log end it found already reached). So no
   * host's first window is judged in that time; {@link #judgeWaitingForStart} looks at them when it
   * has passed.
   */
  private boolean firstTopicsSettled(HostProgress progress, long endMs) {
    return progress.lastSeenMs >= endMs + graceMs + sizeMs
        && (!wallClock || context.currentSystemTimeMs() - startedAtMs >= sizeMs + graceMs);
  }

  /**
   * Wall-clock punctuation of a task's first window and grace: once that has passed, judges what
   * the first windows of the hosts read in it wait for no longer, then stops.
   */
  private void judgeWaitingForStart(long wallMs) {
    if (wallMs - startedAtMs < sizeMs + graceMs) {
      return;
    }
    startWait.cancel();
    startWait = null;
    for (String host : waitingForStart) {
      byte[] stored = progressStore.get(host);
      if (stored != null) {
        HostProgress progress = decode(host, stored);
        closeReady(host, progress);
        progressStore.put(host, progress.toBytes());
      }
    }
    waitingForStart.clear();
  }

  /** Deletes an open window without judging it; its probe rounds count as late. */
  private void dropOpen(String host, HostProgress progress, long start) {
    progress.open.remove(start);
    String key = windowKey(host, start);
    HostWindowState aggregate = windowStore.get(key);
    windowStore.delete(key);
    if (aggregate != null) {
      metrics.late("probe").add(aggregate.entries().size());
    }
  }

  private void judgeOpen(String host, HostProgress progress, long start) {
    progress.open.remove(start);
    String key = windowKey(host, start);
    HostWindowState aggregate = windowStore.get(key);
    windowStore.delete(key);
    if (aggregate == null) {
      return; // Listed but not stored: nothing to judge.
    }
    judge(host, start, aggregate);
    TreeSet<String> topics = new TreeSet<>();
    for (String source : HostWindows.sources(aggregate)) {
      // netns NUL topic: a namespace name may hold a NUL, a topic name never does.
      topics.add(source.substring(source.lastIndexOf('\u0000') + 1));
    }
    if (!topics.isEmpty()) {
      // A window of other hosts' probe rounds only says nothing of which topics the host sends.
      progress.expected.clear();
      progress.expected.addAll(topics);
    }
  }

  /**
   * Judges the open windows of hosts silent for {@code hostSilence} (those stream time has passed
   * by their end plus grace), and deletes the state of hosts with no sample for {@code
   * forgetAfter}.
   */
  private void judgeSilentHosts(long streamTimeMs) {
    List<KeyValue<String, HostProgress>> silent = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = progressStore.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        HostProgress p = decode(kv.key, kv.value);
        boolean quiet =
            p.arrivedAtMs == Long.MIN_VALUE || streamTimeMs - p.arrivedAtMs >= silenceMs;
        boolean due = !p.open.isEmpty() && p.open.first() + sizeMs + graceMs <= streamTimeMs;
        if ((quiet && due) || p.lastSeenMs < streamTimeMs - forgetAfterMs) {
          silent.add(KeyValue.pair(kv.key, p));
        }
      }
    }
    List<String> stale = new ArrayList<>();
    long forgetBefore = streamTimeMs - forgetAfterMs;
    try (KeyValueIterator<String, byte[]> it = streakStore.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (DropStreaks.judgedUpTo(kv.value) < forgetBefore && progressStore.get(kv.key) == null) {
          stale.add(kv.key);
        }
      }
    }
    // Collected first, changed after: deleting under an open iterator is unsafe.
    int forgotten = stale.size();
    for (KeyValue<String, HostProgress> kv : silent) {
      String host = kv.key;
      HostProgress p = kv.value;
      for (long start : p.openStarts()) {
        if (start + sizeMs + graceMs > streamTimeMs) {
          continue;
        }
        if (p.lastSeenMs != Long.MIN_VALUE && start > p.lastSeenMs) {
          // Opened by other hosts' probe rounds after its own last sample: left for its samples
          // to come back to, or dropped with the host once it is forgotten. Judging it would mark
          // the whole silence judged, and a spool drained later would all be late.
          if (p.lastSeenMs >= streamTimeMs - forgetAfterMs) {
            continue;
          }
          dropOpen(host, p, start);
          continue;
        }
        LOG.debug("window {} of {}: the host fell silent; judged with what it has", start, host);
        judgeOpen(host, p, start);
      }
      if (p.lastSeenMs < forgetBefore && p.open.isEmpty()) {
        progressStore.delete(host);
        streakStore.delete(host);
        readAtMs.remove(host);
        forgotten++;
      } else {
        progressStore.put(host, p.toBytes());
      }
    }
    stale.forEach(streakStore::delete);
    if (forgotten > 0) {
      LOG.info("forgot {} host(s) with no sample for {} s", forgotten, forgetAfterMs / 1000);
    }
  }

  private HostProgress progress(String host) {
    return decode(host, progressStore.get(host));
  }

  private static HostProgress decode(String host, byte[] stored) {
    try {
      return HostProgress.fromBytes(stored);
    } catch (IllegalArgumentException e) {
      // Only a value written by an incompatible build gets here: the host starts over.
      LOG.warn("dropping unreadable window progress of {}: {}", host, e.getMessage());
      return new HostProgress();
    }
  }

  /**
   * The store key of a host's window: the host, NUL, the start as 16 hex digits (sorts by time).
   */
  static String windowKey(String host, long startMs) {
    // Not String.format: it was 2 % of the stream thread (its locale set-up), once per sample.
    String hex = Long.toHexString(startMs);
    return host + '\u0000' + "0000000000000000".substring(hex.length()) + hex;
  }

  /**
   * How long after its end (plus grace) a window ending at {@code endMs} is judged, by the wall
   * clock, when that is more than a normal cycle's delay can explain: a host whose spool drained
   * after an outage, a processor working through a backlog. 0 otherwise, and always in a replay
   * (whose clock is the records'). Only a header: the events stay those of a replay.
   */
  private long lateMs(long endMs) {
    if (!wallClock) {
      return 0;
    }
    long late = System.currentTimeMillis() - (endMs + graceMs);
    return late > Math.max(2 * sizeMs + graceMs, 30_000) ? late : 0;
  }

  private void judge(String host, long start, HostWindowState aggregate) {
    long end = start + sizeMs;
    // Wall clock against the window's end: the grace, plus however far the processor is behind.
    metrics.windowClosed(System.currentTimeMillis() - end);
    DropStreaks streaks = DropStreaks.continuing(start, sizeMs, streakStore.get(host));
    HostWindow window = HostWindow.decode(host, start, end, aggregate, streaks);
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
                  aggregate.toBytes(),
                  "rules:" + rule.getClass().getSimpleName() + " netns=" + netns.netns(),
                  e.toString(),
                  e));
        }
      }
    }
    // The kernel's own drop reasons (--drop-reasons), where the host publishes them.
    KernelDropReasons.quote(window, causes);
    streakStore.put(host, streaks.toBytes());
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "window {} of {} judged: {} causes from {}",
          start,
          host,
          causes.size(),
          HostWindows.sources(aggregate).size());
    }
    RecordHeaders headers = new RecordHeaders();
    long lateMs = lateMs(end);
    if (lateMs > 0) {
      headers.add(LATE_HEADER, Long.toString(lateMs).getBytes(StandardCharsets.US_ASCII));
    }
    // Forwarded even when empty: a closed window without causes is what ends a cause's episode.
    context.forward(new Record<>(host, new RuleResult(causes, failures), start, headers));
  }
}
