package dev.culprit.processor.lifecycle;

import dev.culprit.schemas.RootCause;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sums an episode's counter deltas over its windows. Only values that are deltas of a counter add
 * up: kernel counter names ({@code Tcp.RetransSegs}, {@code TcpExt.ListenOverflows}), the rules'
 * delta evidence (dropped packets, device drop counters, throttled periods) and the covered time.
 * Settings and gauges (mtu, fill, limits) and probe client counts would only grow meaninglessly, so
 * they stay in the latest event and out of the totals.
 */
final class CauseTotals {

  private static final Set<String> DELTA_EVIDENCE =
      Set.of(
          "droppedPackets",
          "droppedBytes",
          "rxDropped",
          "rxErrors",
          "rxFifo",
          "rxFrame",
          "rxCrcErrors",
          "rxOverErrors",
          "rxMissedErrors",
          "rxLengthErrors",
          "rxPackets",
          "leafDrops",
          "overlimits",
          "drop",
          "early_drop",
          "insert_failed",
          "throttledPeriods",
          "throttledNs",
          "periods",
          "oomKillDelta",
          "failcntDelta",
          "intervalMs");

  // Probe symptoms that count probes add up; client counts and the worst RTT do not.
  private static final Set<String> DELTA_SYMPTOM_PREFIXES_EXCLUDED =
      Set.of("probe.clients", "probe.clientsWithLoss", "probe.rttMaxMs");

  private CauseTotals() {}

  /** {@code totals} plus the deltas of {@code cause}; a new sorted map. */
  static Map<String, Long> add(Map<String, Long> totals, RootCause cause) {
    Map<String, Long> out = new TreeMap<>(totals);
    cause
        .getEvidence()
        .forEach(
            (name, value) -> {
              if (value instanceof Long l && (DELTA_EVIDENCE.contains(name) || isKernel(name))) {
                out.merge(name, l, Long::sum);
              }
            });
    cause
        .getSymptoms()
        .forEach(
            (name, value) -> {
              if (value != null && !DELTA_SYMPTOM_PREFIXES_EXCLUDED.contains(name)) {
                out.merge(name, value, Long::sum);
              }
            });
    return out;
  }

  // Kernel counter names (Udp.RcvbufErrors, TcpExt.IPReversePathFilter) are deltas in evidence.
  private static boolean isKernel(String name) {
    int dot = name.indexOf('.');
    return dot > 0 && Character.isUpperCase(name.charAt(0));
  }
}
