package dev.culprit.processor.view;

import dev.culprit.processor.rules.RuleResult;
import dev.culprit.schemas.CollectorHealth;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.SourceState;
import dev.culprit.schemas.SourceStatus;
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
  private static final String FIREWALL = "f/";

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
    } else if (value instanceof InterfaceSample s) {
      interfaces(view, s);
    } else if (value instanceof ProtocolSample s) {
      protocol(view, s);
    } else if (value instanceof QdiscSample s) {
      qdiscs(view, s);
    } else if (value instanceof FilterSample s) {
      filters(view, s);
    } else if (value instanceof ProbeSample s) {
      probe(view, s);
    } else if (value instanceof ContainerSample s) {
      containers(view, s);
    } else if (value instanceof CollectorHealth h) {
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

  private static void remember(HostView v, HostView.Brief b) {
    if (v.causeWindows.contains(b)) {
      return;
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

  private void interfaces(HostView v, InterfaceSample s) {
    long rxDropped = 0;
    long txDropped = 0;
    long rxErrors = 0;
    for (InterfaceStats i : s.getInterfaces()) {
      rxDropped += orZero(i.getRxDropped());
      txDropped += orZero(i.getTxDropped());
      rxErrors += orZero(i.getRxErrors());
    }
    long[] d =
        deltas(
            v,
            "i/",
            s.getNetns(),
            s.getCollectorId(),
            s.getSampleTimeMs(),
            rxDropped,
            txDropped,
            rxErrors);
    sampled(v, s.getNetns(), s.getNetnsKind(), s.getSampleTimeMs());
    if (d != null) {
      v.add(ViewCounter.RX_DROPPED, s.getSampleTimeMs(), d[0]);
      v.add(ViewCounter.TX_DROPPED, s.getSampleTimeMs(), d[1]);
      v.add(ViewCounter.RX_ERRORS, s.getSampleTimeMs(), d[2]);
    }
  }

  private void protocol(HostView v, ProtocolSample s) {
    Long retrans = s.getCounters() == null ? null : s.getCounters().get("Tcp.RetransSegs");
    sampled(v, s.getNetns(), s.getNetnsKind(), s.getSampleTimeMs());
    if (retrans == null) {
      return; // absent is not zero
    }
    long[] d = deltas(v, "p/", s.getNetns(), s.getCollectorId(), s.getSampleTimeMs(), retrans);
    if (d != null) {
      v.add(ViewCounter.TCP_RETRANS, s.getSampleTimeMs(), d[0]);
    }
  }

  private void qdiscs(HostView v, QdiscSample s) {
    long drops = 0;
    for (QdiscStats q : s.getQdiscs()) {
      drops += orZero(q.getDrops());
    }
    long[] d = deltas(v, "q/", s.getNetns(), s.getCollectorId(), s.getSampleTimeMs(), drops);
    sampled(v, s.getNetns(), s.getNetnsKind(), s.getSampleTimeMs());
    if (d != null) {
      v.add(ViewCounter.QDISC_DROPS, s.getSampleTimeMs(), d[0]);
    }
  }

  private void filters(HostView v, FilterSample s) {
    long drops = 0;
    for (FirewallRule r : s.getRules()) {
      String target = r.getTarget() == null ? "" : r.getTarget().toString();
      if (target.equals("DROP") || target.equals("REJECT")) {
        drops += orZero(r.getPackets());
      }
    }
    long[] d = deltas(v, FIREWALL, s.getNetns(), s.getCollectorId(), s.getSampleTimeMs(), drops);
    sampled(v, s.getNetns(), s.getNetnsKind(), s.getSampleTimeMs());
    if (d != null) {
      v.add(ViewCounter.FIREWALL_DROPS, s.getSampleTimeMs(), d[0]);
    }
  }

  private void probe(HostView v, ProbeSample s) {
    sampled(v, s.getNetns(), s.getNetnsKind(), s.getSampleTimeMs());
    long sent = Math.max(0, s.getSent());
    v.add(ViewCounter.PROBES_SENT, s.getSampleTimeMs(), sent);
    v.add(ViewCounter.PROBES_LOST, s.getSampleTimeMs(), Math.max(0, sent - s.getAnswered()));
  }

  private void containers(HostView v, ContainerSample s) {
    seen(v, s.getSampleTimeMs());
    if (s.getTrigger() == null) {
      // A periodic listing names every container: those it lacks are gone.
      v.containers.values().removeIf(c -> c.lastSeenMs() < s.getSampleTimeMs());
    }
    for (ContainerStats c : s.getContainers()) {
      String id = HostView.name(c.getId());
      if (!v.containers.containsKey(id) && v.containers.size() >= HostView.MAX_CONTAINERS) {
        continue;
      }
      String pod =
          c.getPodName() == null
              ? ""
              : HostView.name(
                  (c.getPodNamespace() == null ? "" : c.getPodNamespace() + "/") + c.getPodName());
      v.containers.put(
          id,
          new HostView.Container(
              id,
              HostView.name(c.getName()),
              pod,
              HostView.name(c.getState()),
              s.getSampleTimeMs()));
    }
  }

  private void health(HostView v, CollectorHealth h) {
    seen(v, h.getSampleTimeMs());
    List<String> failing = new ArrayList<>();
    for (SourceStatus s : h.getSources()) {
      if (s.getStatus() == SourceState.ERROR || s.getStatus() == SourceState.TIMEOUT) {
        if (failing.size() < HostView.MAX_FAILING_SOURCES) {
          failing.add(
              HostView.cut(
                  s.getSource()
                      + (s.getNetns().length() == 0 ? "" : " in " + s.getNetns())
                      + " "
                      + s.getStatus()
                      + (s.getReason() == null ? "" : ": " + s.getReason()),
                  HostView.MAX_TEXT));
        }
      }
    }
    long droppedBefore =
        v.health == null ? h.getSpoolDroppedRecords() : v.health.spoolDroppedRecords();
    v.health =
        new HostView.Health(
            h.getSampleTimeMs(),
            failing,
            h.getSpooledRecords(),
            h.getSpooledBytes(),
            h.getSpoolDroppedRecords(),
            Math.max(0, h.getSpoolDroppedRecords() - droppedBefore));
  }

  // ---- helpers ----

  /** The increases since the source's previous sample; null for its first or after a restart. */
  private long[] deltas(
      HostView v,
      String kind,
      CharSequence netns,
      CharSequence collectorId,
      long timeMs,
      long... totals) {
    String key = kind + HostView.name(netns);
    String collector = HostView.name(collectorId);
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

  private void sampled(HostView v, CharSequence netns, NetnsKind kind, long timeMs) {
    seen(v, timeMs);
    namespace(v, HostView.name(netns), kind, timeMs);
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

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
