package dev.culprit.processor.view;

import dev.culprit.processor.rules.RuleResult;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.RootCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds a host's samples, collector health and rule results into its {@link HostView}. Hosts whose
 * newest record is older than the baseline TTL behind stream time are forgotten, checked every
 * minute of wall-clock time.
 */
final class ViewProcessor implements Processor<String, Object, Void, Void> {

  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final String storeName;
  private final long windowMs;
  private final long ttlMs;
  private KeyValueStore<String, HostView> store;
  private ProcessorContext<Void, Void> context;

  ViewProcessor(String storeName, Duration window, Duration ttl) {
    this.storeName = storeName;
    this.windowMs = window.toMillis();
    this.ttlMs = ttl.toMillis();
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, now -> forgetSilentHosts());
  }

  @Override
  public void process(Record<String, Object> record) {
    String host = record.key();
    if (host == null || record.value() == null) {
      return;
    }
    HostView view = store.get(host);
    if (view == null) {
      view = new HostView();
    }
    Object value = record.value();
    if (value instanceof RuleResult r) {
      result(view, r, record.timestamp());
    } else if (value instanceof ViewSample.Totals t) {
      totals(view, t);
    } else if (value instanceof ViewSample.Probes p) {
      probes(view, p);
    } else if (value instanceof ViewSample.Containers c) {
      containers(view, c);
    } else if (value instanceof ViewSample.Health h) {
      health(view, h);
    } else {
      return;
    }
    store.put(host, view);
  }

  private void forgetSilentHosts() {
    long cutoff = context.currentStreamTimeMs() - ttlMs;
    List<String> silent = new ArrayList<>();
    try (KeyValueIterator<String, HostView> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, HostView> e = all.next();
        if (e.value.lastSeenMs() < cutoff) {
          silent.add(e.key);
        }
      }
    }
    silent.forEach(store::delete);
  }

  // ---- rule results ----

  private void result(HostView v, RuleResult r, long windowStartMs) {
    long start = windowStartMs;
    long end = windowStartMs + windowMs;
    Map<String, List<HostView.Brief>> byNetns = new java.util.TreeMap<>();
    for (RootCause c : r.causes()) {
      HostView.Brief b = brief(c);
      byNetns.computeIfAbsent(b.netns(), k -> new ArrayList<>()).add(b);
      remember(v, b);
    }
    // A window without a cause in a namespace is a diagnosis too: "nothing found".
    for (var e : v.namespaces.entrySet()) {
      judged(e.getValue(), start, end, byNetns.getOrDefault(e.getKey(), List.of()));
    }
    for (var e : byNetns.entrySet()) {
      HostView.Namespace ns = namespace(v, e.getKey(), null, start);
      if (ns != null) {
        judged(
            ns,
            e.getValue().get(0).windowStartMs(),
            e.getValue().get(0).windowEndMs(),
            e.getValue());
      }
    }
  }

  private static void judged(
      HostView.Namespace ns, long start, long end, List<HostView.Brief> causes) {
    if (start > ns.windowStartMs) {
      ns.windowStartMs = start;
      ns.windowEndMs = end;
      ns.causes.clear();
    }
    if (start == ns.windowStartMs) {
      for (HostView.Brief b : causes) {
        if (!ns.causes.contains(b) && ns.causes.size() < 16) {
          ns.causes.add(b);
        }
      }
    }
  }

  /**
   * Keeps {@code b} among the host's recent cause windows; consecutive windows of the same cause at
   * the same place become one span (with the newest summary), so an hour of a lasting cause is one
   * entry, not 360.
   */
  private static void remember(HostView v, HostView.Brief b) {
    for (int i = 0; i < v.causeWindows.size(); i++) {
      HostView.Brief w = v.causeWindows.get(i);
      boolean same =
          w.netns().equals(b.netns())
              && w.cause().equals(b.cause())
              && w.location().equals(b.location())
              && w.container().equals(b.container());
      if (same && b.windowStartMs() <= w.windowEndMs() && b.windowEndMs() >= w.windowStartMs()) {
        if (b.windowStartMs() >= w.windowStartMs() && b.windowEndMs() <= w.windowEndMs()) {
          return; // already covered (a retried window)
        }
        boolean newer = b.windowEndMs() > w.windowEndMs();
        v.causeWindows.set(
            i,
            new HostView.Brief(
                w.netns(),
                w.cause(),
                w.location(),
                w.container(),
                newer ? b.summary() : w.summary(),
                Math.min(w.windowStartMs(), b.windowStartMs()),
                Math.max(w.windowEndMs(), b.windowEndMs())));
        return;
      }
    }
    v.causeWindows.add(b);
    v.causeWindows.sort(Comparator.comparingLong(HostView.Brief::windowStartMs));
    long horizon = Math.max(v.lastSeenMs, b.windowEndMs()) - HostView.MINUTES * HostView.MINUTE_MS;
    v.causeWindows.removeIf(w -> w.windowEndMs() < horizon);
    while (v.causeWindows.size() > HostView.MAX_CAUSE_WINDOWS) {
      v.causeWindows.remove(0);
    }
  }

  private static HostView.Brief brief(RootCause c) {
    return new HostView.Brief(
        HostView.name(c.getNetns()),
        c.getCause().name(),
        HostView.name(c.getLocation()),
        HostView.name(c.getContainer()),
        HostView.cut(c.getSummary(), HostView.MAX_TEXT),
        c.getWindowStartMs(),
        c.getWindowEndMs());
  }

  // ---- samples ----

  private void totals(HostView v, ViewSample.Totals t) {
    sampled(v, t.netns(), t.kind(), t.timeMs());
    if (t.totals().length == 0) {
      return; // absent is not zero
    }
    long[] d = deltas(v, t.source() + "/", t.netns(), t.collectorId(), t.totals());
    if (d == null) {
      return;
    }
    switch (t.source()) {
      case "i" -> {
        v.add(ViewCounter.RX_DROPPED, t.timeMs(), d[0]);
        v.add(ViewCounter.TX_DROPPED, t.timeMs(), d[1]);
        v.add(ViewCounter.RX_ERRORS, t.timeMs(), d[2]);
      }
      case "p" -> v.add(ViewCounter.TCP_RETRANS, t.timeMs(), d[0]);
      case "q" -> v.add(ViewCounter.QDISC_DROPS, t.timeMs(), d[0]);
      case "f" -> v.add(ViewCounter.FIREWALL_DROPS, t.timeMs(), d[0]);
      default -> {
        // a source this view does not chart
      }
    }
  }

  private void probes(HostView v, ViewSample.Probes p) {
    sampled(v, p.netns(), p.kind(), p.timeMs());
    v.add(ViewCounter.PROBES_SENT, p.timeMs(), p.sent());
    v.add(ViewCounter.PROBES_LOST, p.timeMs(), p.lost());
  }

  private void containers(HostView v, ViewSample.Containers s) {
    seen(v, s.timeMs());
    if (s.complete()) {
      // A periodic listing names every container: those it lacks are gone.
      v.containers.values().removeIf(c -> c.lastSeenMs() < s.timeMs());
    }
    for (HostView.Container c : s.containers()) {
      if (v.containers.containsKey(c.id()) || v.containers.size() < HostView.MAX_CONTAINERS) {
        v.containers.put(c.id(), c);
      }
    }
  }

  private void health(HostView v, ViewSample.Health h) {
    seen(v, h.timeMs());
    v.health =
        new HostView.Health(
            h.timeMs(),
            h.failing(),
            h.spooledRecords(),
            h.spooledBytes(),
            h.spoolDroppedRecords(),
            v.health == null
                ? 0
                : Math.max(0, h.spoolDroppedRecords() - v.health.spoolDroppedRecords()));
  }

  // ---- helpers ----

  /** The increases since the source's previous sample; null for its first or after a restart. */
  private long[] deltas(HostView v, String kind, String netns, String collector, long[] totals) {
    String key = kind + netns;
    HostView.Last before = v.last.get(key);
    if (before == null && v.last.size() >= HostView.MAX_NAMESPACES * 5) {
      return null;
    }
    v.last.put(key, new HostView.Last(collector, totals));
    if (before == null
        || !before.collectorId.equals(collector)
        || before.totals.length != totals.length) {
      return null;
    }
    long[] d = new long[totals.length];
    for (int i = 0; i < totals.length; i++) {
      d[i] = totals[i] - before.totals[i];
      if (d[i] < 0) {
        return null; // a counter reset: the next sample has a baseline again
      }
    }
    return d;
  }

  private void sampled(HostView v, String netns, NetnsKind kind, long timeMs) {
    seen(v, timeMs);
    namespace(v, netns, kind, timeMs);
  }

  private HostView.Namespace namespace(HostView v, String netns, NetnsKind kind, long timeMs) {
    HostView.Namespace ns = v.namespaces.get(netns);
    if (ns == null) {
      if (v.namespaces.size() >= HostView.MAX_NAMESPACES) {
        // Full: the one not heard of the longest makes room, if it is older than this one.
        var oldest =
            v.namespaces.entrySet().stream()
                .min(Comparator.comparingLong(e -> e.getValue().lastSeenMs))
                .orElseThrow();
        if (oldest.getValue().lastSeenMs >= timeMs) {
          return null;
        }
        v.namespaces.remove(oldest.getKey());
        v.last.keySet().removeIf(k -> k.substring(2).equals(oldest.getKey()));
      }
      ns = new HostView.Namespace();
      v.namespaces.put(netns, ns);
    }
    ns.lastSeenMs = Math.max(ns.lastSeenMs, timeMs);
    if (kind != null) {
      ns.kind = kind.name();
    }
    return ns;
  }

  private static void seen(HostView v, long timeMs) {
    v.lastSeenMs = Math.max(v.lastSeenMs, timeMs);
    v.touch(timeMs);
  }
}
