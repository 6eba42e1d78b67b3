package dev.culprit.processor.oom;

import dev.culprit.processor.rules.oom.CpuThrottleRule;
import dev.culprit.processor.rules.oom.KillContext;
import dev.culprit.processor.rules.oom.Observation;
import dev.culprit.processor.rules.oom.OomRules;
import dev.culprit.processor.rules.oom.OomThresholds;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.RootCause;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The OOM join's decisions on one container's state, without Kafka Streams: what to keep of each
 * sample, when a kernel kill is ready to be judged (the engine's exit state arrived, or there is no
 * engine to wait for), what to report at a deadline, and the CPU-throttling windows. {@link
 * OomProcessor} stores the state and forwards what this returns.
 */
final class OomJoin {

  /** Kept per container: enough for a minute of 1 s samples. */
  private static final int MAX_OBSERVATIONS = 64;

  private static final int MAX_REPORTED = 32;

  /** The kernel and the engine stamp the same exit on different clocks. */
  private static final long CLOCK_SLACK_MS = 2000;

  private final OomThresholds thresholds;
  private final long windowSizeMs;

  OomJoin(OomThresholds thresholds, long windowSizeMs) {
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.windowSizeMs = windowSizeMs;
  }

  /** What handling one input did: causes to report and, if not -1, a deadline to wake at. */
  record Step(List<RootCause> causes, long deadlineMs) {
    static Step none() {
      return new Step(List.of(), -1);
    }
  }

  /** The state key of a container's stats. */
  static String key(String host, String container) {
    return host + "\u0000" + container;
  }

  /** The container a kernel kill belongs to: the container id, else the memcg or victim cgroup. */
  static String containerOf(KernelOomSample k) {
    if (k.getContainerId() != null) {
      return k.getContainerId();
    }
    if ("CONSTRAINT_NONE".equals(k.getConstraint())) {
      return k.getTaskMemcg() == null || k.getTaskMemcg().equals("/") ? "" : k.getTaskMemcg();
    }
    return k.getMemcg() != null ? k.getMemcg() : k.getTaskMemcg() != null ? k.getTaskMemcg() : "";
  }

  /** A container sample arrived. */
  Step onSample(OomContainerState st, ContainerSample sample, ContainerStats stats) {
    Observation obs =
        new Observation(
            sample.getSampleTimeMs(), sample.getCollectorId(), sample.getTrigger(), stats);
    List<ByteBuffer> kept = new ArrayList<>(st.getObservations());
    kept.add(OomStateSerde.encode(sample, stats));
    long oldest = obs.timeMs() - thresholds.history().toMillis() - thresholds.joinWait().toMillis();
    while (kept.size() > MAX_OBSERVATIONS
        || (kept.size() > 1 && OomStateSerde.decodeObservation(kept.get(0)).timeMs() < oldest)) {
      kept.remove(0);
    }
    st.setObservations(kept);
    st.setLastSeenMs(Math.max(st.getLastSeenMs(), obs.timeMs()));
    List<RootCause> causes = new ArrayList<>();
    if (obs.isPeriodic()) {
      throttle(st, sample, stats, obs).ifPresent(causes::add);
    }
    long deadline = -1;
    if (obs.isDie()) {
      if (!st.getPendingKills().isEmpty()) {
        causes.addAll(reportPending(st, obs.timeMs() + CLOCK_SLACK_MS));
      } else if (Boolean.TRUE.equals(stats.getOomKilled())
          && (st.getLastKillMs() == 0
              || obs.timeMs() - st.getLastKillMs() > thresholds.history().toMillis())) {
        // The engine says OOM-killed and no kernel record has come (yet): wait for it a while.
        st.setEngineKill(OomStateSerde.encode(sample, stats));
        deadline = obs.timeMs() + thresholds.joinWait().toMillis();
      }
    }
    return new Step(causes, deadline);
  }

  /** A kernel kill arrived. */
  Step onKill(OomContainerState st, KernelOomSample kill) {
    String identity = identity(kill);
    if (st.getReported().contains(identity) || containsKill(st, kill)) {
      return Step.none();
    }
    st.setLastKillMs(Math.max(st.getLastKillMs(), kill.getKillTimeMs()));
    st.setEngineKill(null);
    if ("CONSTRAINT_NONE".equals(kill.getConstraint())) {
      return new Step(report(st, kill, kill.getKillTimeMs()).stream().toList(), -1);
    }
    List<ByteBuffer> pending = new ArrayList<>(st.getPendingKills());
    pending.add(OomStateSerde.encodeKill(kill));
    st.setPendingKills(pending);
    if (isReady(st, kill)) {
      return new Step(reportPending(st, Long.MAX_VALUE), -1);
    }
    return new Step(List.of(), kill.getKillTimeMs() + thresholds.joinWait().toMillis());
  }

  /** Stream time passed a deadline: report what is known. */
  List<RootCause> onDeadline(OomContainerState st, long streamTimeMs) {
    List<RootCause> causes =
        new ArrayList<>(reportPending(st, streamTimeMs - thresholds.joinWait().toMillis()));
    if (st.getEngineKill() != null) {
      Observation died = OomStateSerde.decodeObservation(st.getEngineKill());
      if (died.timeMs() + thresholds.joinWait().toMillis() <= streamTimeMs) {
        st.setEngineKill(null);
        long killMs =
            died.stats().getFinishedAtMs() != null ? died.stats().getFinishedAtMs() : died.timeMs();
        String identity = "engine " + killMs;
        if (!st.getReported().contains(identity)) {
          OomRules.explain(context(st, null, killMs), thresholds).ifPresent(causes::add);
          remember(st, identity);
        }
      }
    }
    return causes;
  }

  /** The earliest deadline still pending in this state, or -1. */
  long nextDeadline(OomContainerState st) {
    long next = Long.MAX_VALUE;
    for (ByteBuffer b : st.getPendingKills()) {
      next =
          Math.min(
              next, OomStateSerde.decodeKill(b).getKillTimeMs() + thresholds.joinWait().toMillis());
    }
    if (st.getEngineKill() != null) {
      next =
          Math.min(
              next,
              OomStateSerde.decodeObservation(st.getEngineKill()).timeMs()
                  + thresholds.joinWait().toMillis());
    }
    return next == Long.MAX_VALUE ? -1 : next;
  }

  /**
   * Ready when the engine's exit capture arrived after the kill, or the container is known and no
   * sample of it had an engine (a plain cgroup: nothing more will come).
   */
  private boolean isReady(OomContainerState st, KernelOomSample kill) {
    List<Observation> obs = observations(st);
    if (obs.isEmpty()) {
      return false;
    }
    for (Observation o : obs) {
      if (o.isDie() && o.timeMs() >= kill.getKillTimeMs() - CLOCK_SLACK_MS) {
        return true;
      }
    }
    // Any sample with the engine's view means an engine will send the exit: a last sample without
    // it (the engine lookup failed while the container died) does not make it a plain cgroup.
    return obs.stream().noneMatch(Observation::hasEngine);
  }

  /** Reports the pending kills that happened before {@code upToMs} (a deadline or the exit). */
  private List<RootCause> reportPending(OomContainerState st, long upToMs) {
    List<RootCause> causes = new ArrayList<>();
    List<ByteBuffer> still = new ArrayList<>();
    for (ByteBuffer b : st.getPendingKills()) {
      KernelOomSample kill = OomStateSerde.decodeKill(b);
      boolean due = upToMs == Long.MAX_VALUE || kill.getKillTimeMs() <= upToMs;
      if (!due) {
        still.add(b);
        continue;
      }
      report(st, kill, kill.getKillTimeMs()).ifPresent(causes::add);
    }
    st.setPendingKills(still);
    return causes;
  }

  private Optional<RootCause> report(OomContainerState st, KernelOomSample kill, long killMs) {
    remember(st, identity(kill));
    return OomRules.explain(context(st, kill, killMs), thresholds);
  }

  private KillContext context(OomContainerState st, KernelOomSample kill, long killMs) {
    long from = killMs - thresholds.history().toMillis();
    List<Observation> window = new ArrayList<>();
    for (Observation o : observations(st)) {
      if (o.timeMs() >= from) {
        window.add(o);
      }
    }
    return new KillContext(st.getHost(), st.getContainer(), kill, killMs, window);
  }

  /**
   * Tumbling windows of the processor's window size: when a periodic sample opens a new window, the
   * closed one is judged from the last sample before it to the last sample in it.
   */
  private Optional<RootCause> throttle(
      OomContainerState st, ContainerSample sample, ContainerStats stats, Observation obs) {
    long windowStart = obs.timeMs() - Math.floorMod(obs.timeMs(), windowSizeMs);
    ByteBuffer encoded = OomStateSerde.encode(sample, stats);
    if (st.getThrottleWindowStartMs() < 0) {
      st.setThrottleWindowStartMs(windowStart);
      st.setThrottleLast(encoded);
      return Optional.empty();
    }
    if (windowStart <= st.getThrottleWindowStartMs()) {
      st.setThrottleLast(encoded);
      return Optional.empty();
    }
    Optional<RootCause> cause = Optional.empty();
    if (st.getThrottleBaseline() != null && st.getThrottleLast() != null) {
      long closedStart = st.getThrottleWindowStartMs();
      cause =
          CpuThrottleRule.evaluate(
              st.getHost(),
              OomStateSerde.decodeObservation(st.getThrottleBaseline()),
              OomStateSerde.decodeObservation(st.getThrottleLast()),
              closedStart,
              closedStart + windowSizeMs,
              thresholds);
    }
    st.setThrottleBaseline(st.getThrottleLast());
    st.setThrottleLast(encoded);
    st.setThrottleWindowStartMs(windowStart);
    return cause;
  }

  static List<Observation> observations(OomContainerState st) {
    List<Observation> out = new ArrayList<>(st.getObservations().size());
    for (ByteBuffer b : st.getObservations()) {
      out.add(OomStateSerde.decodeObservation(b));
    }
    return out;
  }

  private static boolean containsKill(OomContainerState st, KernelOomSample kill) {
    String identity = identity(kill);
    for (ByteBuffer b : st.getPendingKills()) {
      if (identity(OomStateSerde.decodeKill(b)).equals(identity)) {
        return true;
      }
    }
    return false;
  }

  /** A kill is its boot and kernel log sequence number (both unique per kill). */
  static String identity(KernelOomSample kill) {
    return "kmsg " + kill.getBootId() + " " + kill.getKmsgSeq() + " " + kill.getVictimPid();
  }

  private static void remember(OomContainerState st, String identity) {
    List<String> reported = new ArrayList<>(st.getReported());
    reported.add(identity);
    while (reported.size() > MAX_REPORTED) {
      reported.remove(0);
    }
    st.setReported(reported);
  }
}
