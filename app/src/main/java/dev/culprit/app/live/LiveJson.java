package dev.culprit.app.live;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.culprit.processor.view.HostView;
import dev.culprit.processor.view.ViewCounter;
import dev.culprit.schemas.FleetIncident;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON API's documents (README, "Live page and API"): what an instance answers from its own
 * stores, and what it reads back from another instance, so every page renders from these whichever
 * instance owns the host.
 */
public final class LiveJson {

  private LiveJson() {}

  /** A cause of one window. */
  public record Cause(
      String netns,
      String cause,
      String location,
      String container,
      String summary,
      long windowStartMs,
      long windowEndMs) {

    static Cause of(HostView.Brief b) {
      return new Cause(
          b.netns(),
          b.cause(),
          b.location(),
          b.container(),
          b.summary(),
          b.windowStartMs(),
          b.windowEndMs());
    }
  }

  /** A namespace and the latest window the rules judged in it (no causes: nothing found). */
  public record Namespace(
      String netns, String kind, long lastSeenMs, long windowStartMs, List<Cause> causes) {}

  /** A container, with its Kubernetes pod when known ("" otherwise). */
  public record Container(String id, String name, String pod, String state) {}

  /** The collector's latest health: failing sources and the spool. */
  public record Health(
      long sampleTimeMs,
      List<String> failingSources,
      long spooledRecords,
      long spooledBytes,
      long spoolDroppedRecords) {

    /** Something for the on-call to look at. */
    public boolean problem() {
      return !failingSources.isEmpty() || spooledRecords > 0;
    }
  }

  /** Per-minute values of one key counter over the last hour: NaN-free, null where unsampled. */
  public record Series(String name, String unit, long[] minuteStartMs, Long[] values) {}

  /**
   * One host. {@code namespaces}, {@code containers} and {@code counters} are only in {@code
   * /api/hosts/{host}}; {@code recentCauses} are the cause windows of its last hour.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Host(
      String host,
      long lastSeenMs,
      List<Cause> recentCauses,
      Health health,
      List<Namespace> namespaces,
      List<Container> containers,
      List<Series> counters) {

    /** The host's causes among windows ending within {@code recentMs} of its newest sample. */
    public List<Cause> causesWithin(long recentMs) {
      List<Cause> out = new ArrayList<>();
      for (Cause c : recentCauses) {
        if (c.windowEndMs() >= lastSeenMs - recentMs) {
          out.add(c);
        }
      }
      return out;
    }
  }

  /** The list of hosts, and which instances answered. */
  public record Hosts(List<Host> hosts, List<String> instances, List<String> unavailable) {}

  /** A fleet incident's latest window. */
  public record Incident(
      String signature,
      String cause,
      long windowStartMs,
      long windowEndMs,
      int hostCount,
      List<String> hosts,
      String summary) {

    static Incident of(FleetIncident i) {
      return new Incident(
          i.getSignature(),
          i.getCause().name(),
          i.getWindowStartMs(),
          i.getWindowEndMs(),
          i.getHostCount(),
          List.copyOf(i.getHosts()),
          i.getSummary());
    }
  }

  /** The incidents, and which instances answered. */
  public record Incidents(
      List<Incident> incidents, List<String> instances, List<String> unavailable) {}

  /** The summary of a host for {@code /api/hosts}. */
  static Host summary(String host, HostView v) {
    return new Host(host, v.lastSeenMs(), causes(v), health(v), null, null, null);
  }

  /** Everything of a host for {@code /api/hosts/{host}}. */
  static Host detail(String host, HostView v) {
    List<Namespace> namespaces = new ArrayList<>();
    v.namespaces()
        .forEach(
            (name, ns) ->
                namespaces.add(
                    new Namespace(
                        name,
                        ns.kind(),
                        ns.lastSeenMs(),
                        ns.windowStartMs(),
                        ns.causes().stream().map(Cause::of).toList())));
    List<Container> containers = new ArrayList<>();
    v.containers()
        .values()
        .forEach(c -> containers.add(new Container(c.id(), c.name(), c.pod(), c.state())));
    List<Series> counters = new ArrayList<>();
    for (ViewCounter counter : ViewCounter.values()) {
      HostView.Series s = v.series(counter, v.lastSeenMs());
      Long[] values = new Long[s.values().length];
      for (int i = 0; i < values.length; i++) {
        values[i] = Double.isNaN(s.values()[i]) ? null : (long) s.values()[i];
      }
      counters.add(new Series(counter.label(), counter.unit(), s.times(), values));
    }
    return new Host(host, v.lastSeenMs(), causes(v), health(v), namespaces, containers, counters);
  }

  private static List<Cause> causes(HostView v) {
    return v.causeWindows().stream().map(Cause::of).toList();
  }

  private static Health health(HostView v) {
    HostView.Health h = v.health();
    return h == null
        ? null
        : new Health(
            h.sampleTimeMs(),
            h.failingSources(),
            h.spooledRecords(),
            h.spooledBytes(),
            h.spoolDroppedRecords());
  }

  /** Counters by name, for pages. */
  static Map<String, Series> byName(List<Series> series) {
    Map<String, Series> m = new LinkedHashMap<>();
    series.forEach(s -> m.put(s.name(), s));
    return m;
  }
}
