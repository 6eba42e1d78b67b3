package dev.culprit.collector.source.probe;

import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.ProbeSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code probe} source: active TCP connect probes, a symptom a user would notice (the seed's
 * {@code hping3 -c 10 -S -p 80}: "50 % SYN loss, RTT 3 ms … 3 s"). Each cycle, in each namespace
 * that probes leave from, one {@link ProbeRound} to all its targets; one {@code ProbeSample} per
 * target with sent, answered and the RTTs of the answered ones.
 *
 * <p>Probes from a namespace other than the collector's own need a socket created inside it, which
 * only the netlink namespace thread can do ({@link NetnsAccess#openSocketChannels}); without it
 * those namespaces report NO_DATA saying so, and the host's probes still run.
 *
 * <p>A namespace named by a target but not found on this host (or filtered out) simply produces no
 * samples; it is warned about once, when a whole cycle went by without it, and again only after it
 * came back and went away again.
 */
public final class ProbeSource extends NamedSource {

  /** Probes per target per round. */
  public static final int DEFAULT_COUNT = 5;

  /** Per-probe timeout: below Linux's 1 s initial SYN retransmission timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(900);

  /** More would be a load test, not a probe. */
  public static final int MAX_COUNT = 100;

  private static final Logger LOG = LoggerFactory.getLogger(ProbeSource.class);

  private final NetnsAccess access;
  private final Map<String, List<ProbeTarget>> byNetns;
  private final int count;
  private final Duration timeout;

  /** Namespace label → sample time of the last cycle it was seen in. */
  private final Map<String, Long> lastSeenMs = new ConcurrentHashMap<>();

  private final Set<String> reportedMissing = ConcurrentHashMap.newKeySet();
  private volatile long previousHostCycleMs = -1;

  /**
   * Probes {@code targets} {@code count} times per cycle, each probe given {@code timeout}.
   *
   * @throws IllegalArgumentException when there are no targets, or count or timeout is out of range
   */
  public ProbeSource(NetnsAccess access, List<ProbeTarget> targets, int count, Duration timeout) {
    super("probe", Scope.PER_NETNS);
    this.access = Objects.requireNonNull(access, "access");
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no probe targets");
    }
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException("probe count " + count + " is outside 1-" + MAX_COUNT);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("probe timeout " + timeout + " must be positive");
    }
    Map<String, List<ProbeTarget>> grouped = new LinkedHashMap<>();
    for (ProbeTarget t : targets) {
      grouped.computeIfAbsent(t.netns(), k -> new ArrayList<>()).add(t);
    }
    grouped.replaceAll((k, v) -> List.copyOf(v));
    this.byNetns = Map.copyOf(grouped);
    this.count = count;
    this.timeout = timeout;
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    noteSeen(netns, header.sampleTimeMs());
    List<ProbeTarget> targets = byNetns.get(netns.label());
    if (targets == null) {
      return List.of();
    }
    List<ProbeRound.Result> results =
        ProbeRound.run(
            targets,
            count,
            timeout,
            families -> access.openSocketChannels(netns, families),
            netns.label());
    List<Sample> samples = new ArrayList<>(results.size());
    for (ProbeRound.Result r : results) {
      samples.add(new Sample(WireTopics.PROBE, header.host(), record(header, r)));
    }
    return samples;
  }

  static ProbeSample record(Header header, ProbeRound.Result r) {
    ProbeSample s = header.stamp(new ProbeSample());
    s.setTargetAddress(r.target().address().getHostAddress());
    s.setTargetPort(r.target().port());
    s.setProtocol("tcp-connect");
    s.setSent(r.sent());
    s.setAnswered(r.answered());
    s.setRttMinMs(r.rttMinMs());
    s.setRttAvgMs(r.rttAvgMs());
    s.setRttMaxMs(r.rttMaxMs());
    return s;
  }

  /**
   * Records that {@code netns} exists this cycle; on the host's call (every cycle has one) warns
   * about target namespaces not seen since the previous cycle began. Calls of one cycle run
   * concurrently, so "this cycle" cannot be told yet: a namespace alive at the previous cycle has a
   * sample time at least that cycle's.
   */
  private void noteSeen(Netns netns, long sampleTimeMs) {
    String label = netns.label();
    // Only the namespaces probes leave from: a busy host's short-lived namespaces would otherwise
    // pile up here for as long as the collector runs.
    if (byNetns.containsKey(label)) {
      lastSeenMs.put(label, sampleTimeMs);
    }
    if (reportedMissing.remove(label)) {
      LOG.info("probe namespace {} is back: probing from it again", label);
    }
    if (!netns.host()) {
      return;
    }
    long previous = previousHostCycleMs;
    previousHostCycleMs = sampleTimeMs;
    if (previous < 0) {
      return;
    }
    for (Map.Entry<String, List<ProbeTarget>> e : byNetns.entrySet()) {
      String wanted = e.getKey();
      Long seen = lastSeenMs.get(wanted);
      if (!wanted.isEmpty() && (seen == null || seen < previous) && reportedMissing.add(wanted)) {
        LOG.warn(
            "probe namespace {} is not on this host (or is excluded by --netns-include/exclude):"
                + " no probes to {} until it appears",
            wanted,
            e.getValue());
      }
    }
  }

  /** Target namespaces warned about as missing and not seen since; for tests. */
  Set<String> missingNamespaces() {
    return Set.copyOf(reportedMissing);
  }
}
