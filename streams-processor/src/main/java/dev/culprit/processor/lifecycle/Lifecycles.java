package dev.culprit.processor.lifecycle;

import dev.culprit.processor.rules.Signatures;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.RootCause;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The life of every cause of one host, decided from the host's windows alone (event time), so the
 * same input gives the same transitions in a replay.
 *
 * <p>An episode is keyed by namespace and cause signature. It starts in the first window the cause
 * is seen in, and ends once the host has gone {@link LifecycleSettings#endAfterWindows()} windows
 * without it. "Without" is counted from window boundaries, not from the windows that arrived: a
 * host that stops reporting keeps its causes open (no time passes for it) until its next window,
 * which then ends every cause whose last window is long enough ago — and starts a new episode for a
 * cause still there. The open episodes are the held {@link CauseTransition}s, each carrying its
 * totals so far.
 */
public final class Lifecycles {

  private final LifecycleSettings settings;
  private final long windowSizeMs;

  public Lifecycles(LifecycleSettings settings, long windowSizeMs) {
    if (windowSizeMs < 1) {
      throw new IllegalArgumentException("windowSizeMs must be positive, got " + windowSizeMs);
    }
    this.settings = settings;
    this.windowSizeMs = windowSizeMs;
  }

  /** The key of an episode within its host: namespace and signature. */
  public static String episodeKey(RootCause cause) {
    return cause.getNetns() + "\u0000" + Signatures.of(cause);
  }

  /**
   * Applies one input of {@code host} to its open episodes (updated in place: added, changed,
   * removed) and returns the transitions it causes, in a fixed order: the input's causes in their
   * order, then endings by key.
   *
   * @param recordTimeMs the input's time: the window start for a host window
   */
  public List<CauseTransition> apply(
      String host,
      SortedMap<String, CauseTransition> open,
      LifecycleInput input,
      long recordTimeMs) {
    List<CauseTransition> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long hostWindowEndMs = windowStart(recordTimeMs) + windowSizeMs;
    for (RootCause cause : input.causes()) {
      String key = episodeKey(cause);
      seen.add(key);
      long windowStartMs =
          input.hostWindow() ? windowStart(recordTimeMs) : windowStart(cause.getWindowStartMs());
      seen(host, key, cause, windowStartMs, open, out);
    }
    if (input.hostWindow()) {
      for (Map.Entry<String, CauseTransition> e : new TreeMap<>(open).entrySet()) {
        CauseTransition episode = e.getValue();
        if (!seen.contains(e.getKey()) && missedUpTo(episode, hostWindowEndMs) >= endAfter()) {
          out.add(transition(episode, CauseState.ENDED, hostWindowEndMs));
          open.remove(e.getKey());
        }
      }
    }
    return out;
  }

  private void seen(
      String host,
      String key,
      RootCause cause,
      long windowStartMs,
      SortedMap<String, CauseTransition> open,
      List<CauseTransition> out) {
    long windowEndMs = windowStartMs + windowSizeMs;
    CauseTransition episode = open.get(key);
    if (episode != null && missedUpTo(episode, windowStartMs) >= endAfter()) {
      // The host was silent (or the cause gone) long enough before this window: that episode
      // ended, this is a new one.
      out.add(transition(episode, CauseState.ENDED, windowEndMs));
      open.remove(key);
      episode = null;
    }
    if (episode == null) {
      CauseTransition started =
          CauseTransition.newBuilder()
              .setTransitionId("")
              .setEpisodeId(episodeId(host, cause.getNetns(), Signatures.of(cause), windowStartMs))
              .setState(CauseState.STARTED)
              .setSignature(Signatures.of(cause))
              .setHost(host)
              .setNetns(cause.getNetns())
              .setContainer(cause.getContainer())
              .setCause(cause.getCause())
              .setFirstWindowStartMs(windowStartMs)
              .setLastWindowEndMs(windowEndMs)
              .setDecidedWindowEndMs(windowEndMs)
              .setWindowsSeen(1)
              .setDurationMs(windowSizeMs)
              .setTotals(CauseTotals.add(Map.of(), cause))
              .setLatest(cause)
              .build();
      open.put(key, started);
      out.add(transition(started, CauseState.STARTED, windowEndMs));
      return;
    }
    CauseTransition updated = CauseTransition.newBuilder(episode).build();
    updated.setTotals(CauseTotals.add(episode.getTotals(), cause));
    if (windowEndMs > episode.getLastWindowEndMs()) {
      updated.setLastWindowEndMs(windowEndMs);
      updated.setWindowsSeen(episode.getWindowsSeen() + 1);
      updated.setDurationMs(windowEndMs - episode.getFirstWindowStartMs());
      updated.setContainer(cause.getContainer());
      updated.setLatest(cause);
      updated.setState(CauseState.ONGOING);
      open.put(key, updated);
      if (updated.getWindowsSeen() % settings.reminderEveryWindows() == 0) {
        out.add(transition(updated, CauseState.ONGOING, windowEndMs));
      }
    } else {
      // The same signature twice in one window (two devices, a late OOM record): one window,
      // both counted in the totals.
      open.put(key, updated);
    }
  }

  private CauseTransition transition(CauseTransition episode, CauseState state, long decidedMs) {
    CauseTransition t = CauseTransition.newBuilder(episode).build();
    t.setState(state);
    t.setDecidedWindowEndMs(decidedMs);
    t.setTransitionId(
        id(
            episode.getEpisodeId(),
            state.name(),
            Long.toString(decidedMs),
            Integer.toString(episode.getWindowsSeen())));
    return t;
  }

  /** Whole windows between the episode's last window and {@code boundaryMs}. */
  private long missedUpTo(CauseTransition episode, long boundaryMs) {
    return Math.max(0, (boundaryMs - episode.getLastWindowEndMs()) / windowSizeMs);
  }

  private int endAfter() {
    return settings.endAfterWindows();
  }

  private long windowStart(long timeMs) {
    return Math.floorDiv(timeMs, windowSizeMs) * windowSizeMs;
  }

  private static String id(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static String episodeId(String host, String netns, String signature, long firstWindowStartMs) {
    return id(host, netns, signature, Long.toString(firstWindowStartMs));
  }
}
