package dev.culprit.processor.window;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.probe.ProbeObservation;
import dev.culprit.processor.probe.ProbeSerdes;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.DropReasonSample;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.RouteSample;
import dev.culprit.schemas.SampleHeaders;
import dev.culprit.schemas.SoftnetSample;
import dev.culprit.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * One namespace of a host over one window, decoded: every source's merged record (gauges as last
 * read, counters as deltas over the window, null where no delta is known) and what each source
 * covered.
 */
public final class NetnsWindow {

  /** Topics asked for the namespace's kind, in a fixed order so the answer is deterministic. */
  private static final List<String> KIND_ORDER =
      List.of(
          Topics.INTERFACE.name(),
          Topics.PROTOCOL.name(),
          Topics.FILTER.name(),
          Topics.QDISC.name(),
          Topics.CONNTRACK.name());

  private final HostWindow host;
  private final String netns;
  private final Map<String, SpecificRecord> records = new HashMap<>();
  private final Map<String, Coverage> coverage = new HashMap<>();
  private List<ProbeObservation> probes = List.of();

  /** One namespace's entries of a host window (all with the same netns). */
  NetnsWindow(HostWindow host, List<HostWindowState.Entry> entries) {
    this.host = host;
    this.netns = entries.get(0).netns();
    for (HostWindowState.Entry entry : entries) {
      if (entry.topic().equals(Topics.PROBE.name())) {
        probes = List.copyOf(ProbeSerdes.WINDOW.decode(entry.record()).getObservations());
        continue;
      }
      Optional<SampleKind<?>> kind = SampleKinds.byTopic(entry.topic());
      if (kind.isEmpty()) {
        continue; // A source a newer build added: this build has no rule reading it.
      }
      records.put(entry.topic(), HostWindows.decode(kind.get(), entry));
      coverage.put(
          entry.topic(),
          new Coverage(
              entry.samples(), entry.deltaMs(), entry.firstSampleMs(), entry.lastSampleMs()));
    }
  }

  /** The host window this namespace belongs to. */
  public HostWindow host() {
    return host;
  }

  /** The namespace label ("" = the host's own). */
  public String netns() {
    return netns;
  }

  /**
   * What the namespace is, as its samples say (each sample carries it in its header, and the merged
   * sample of a window keeps its latest's); null when none of its samples says (older collectors),
   * and then only the label tells.
   */
  public NetnsKind netnsKind() {
    for (String topic : KIND_ORDER) {
      SpecificRecord record = records.get(topic);
      NetnsKind kind = record == null ? null : SampleHeaders.netnsKind(record);
      if (kind != null && kind != NetnsKind.UNKNOWN) {
        return kind;
      }
    }
    return null;
  }

  /** "netns web-1", or "the host namespace", for sentences. */
  public String label() {
    return label(netns);
  }

  /** "netns web-1", or "the host namespace", for sentences. */
  public static String label(String netns) {
    return netns.isEmpty() ? "the host namespace" : "netns " + netns;
  }

  /** What that source contributed, if it reported in the window. */
  public Optional<Coverage> coverage(SampleKind<?> kind) {
    return Optional.ofNullable(coverage.get(kind.topic().name()));
  }

  /** Time covered by that source's deltas, ms; 0 when it gave none. */
  public long deltaMs(SampleKind<?> kind) {
    return coverage(kind).map(Coverage::deltaMs).orElse(0L);
  }

  public List<InterfaceStats> interfaces() {
    InterfaceSample sample = record(SampleKinds.INTERFACE);
    return sample == null ? List.of() : sample.getInterfaces();
  }

  /** The named interface of this namespace, if reported. */
  public Optional<InterfaceStats> interfaceNamed(String name) {
    return interfaces().stream().filter(i -> i.getName().equals(name)).findFirst();
  }

  /** A protocol counter's delta over the window; null when unknown. */
  public Long protocol(ProtocolCounter counter) {
    ProtocolSample sample = record(SampleKinds.PROTOCOL);
    return sample == null ? null : sample.getCounters().get(counter.kernelName());
  }

  /** The symptom counters' deltas known in this window, by kernel name, sorted. */
  public Map<String, Long> symptoms() {
    Map<String, Long> symptoms = new TreeMap<>();
    for (ProtocolCounter counter : ProtocolCounter.values()) {
      Long delta = counter.symptom() ? protocol(counter) : null;
      if (delta != null) {
        symptoms.put(counter.kernelName(), delta);
      }
    }
    return symptoms;
  }

  /**
   * Probe rounds to this namespace's addresses in the window, one per (target address, port, prober
   * host, prober netns), sorted in that order; empty when no probe reached it.
   */
  public List<ProbeObservation> probes() {
    return probes;
  }

  public Optional<ConntrackSample> conntrack() {
    return Optional.ofNullable(record(SampleKinds.CONNTRACK));
  }

  public List<QdiscStats> qdiscs() {
    QdiscSample sample = record(SampleKinds.QDISC);
    return sample == null ? List.of() : sample.getQdiscs();
  }

  public List<FirewallRule> firewallRules() {
    FilterSample sample = record(SampleKinds.FILTER);
    return sample == null ? List.of() : sample.getRules();
  }

  public List<ChainPolicy> chainPolicies() {
    FilterSample sample = record(SampleKinds.FILTER);
    return sample == null ? List.of() : sample.getPolicies();
  }

  /**
   * The host's per-CPU softnet statistics: only in the host namespace's window (netns ""), where
   * the host-wide softnet source publishes them.
   */
  public Optional<SoftnetSample> softnet() {
    return Optional.ofNullable(record(SampleKinds.SOFTNET));
  }

  /**
   * The namespace's refusing and default routes and unresolved neighbours, if the route source
   * reported in the window; in the host namespace's window also the host-wide neighbour-table
   * counters' deltas.
   */
  public Optional<RouteSample> routes() {
    return Optional.ofNullable(record(SampleKinds.ROUTE));
  }

  /**
   * The kernel's drop reasons on the host over the window ({@code --drop-reasons}): only in the
   * host namespace's window (netns ""), where the host-wide source publishes them; counts are the
   * host's, whichever namespace dropped.
   */
  public Optional<DropReasonSample> dropReasons() {
    return Optional.ofNullable(record(SampleKinds.DROP_REASONS));
  }

  @SuppressWarnings("unchecked")
  private <S extends SpecificRecord> S record(SampleKind<S> kind) {
    return (S) records.get(kind.topic().name());
  }
}
