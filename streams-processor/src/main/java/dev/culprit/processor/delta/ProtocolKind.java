package dev.culprit.processor.delta;

import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * /proc/net/snmp and /proc/net/netstat: one counter map per namespace, trimmed to the {@link
 * ProtocolCounter}s the rules read. The map restarts as a whole (a re-created namespace).
 */
final class ProtocolKind implements SampleKind<ProtocolSample> {

  // The gauges the contract lists for this map; everything else is a counter.
  private static final Set<String> GAUGES =
      Set.of(
          "Ip.Forwarding",
          "Ip.DefaultTTL",
          "Tcp.RtoAlgorithm",
          "Tcp.RtoMin",
          "Tcp.RtoMax",
          "Tcp.MaxConn",
          "Tcp.CurrEstab");
  private static final Predicate<String> IS_COUNTER = name -> !GAUGES.contains(name);

  @Override
  public Topic<ProtocolSample> topic() {
    return Topics.PROTOCOL;
  }

  @Override
  public ProtocolSample trim(ProtocolSample sample) {
    Map<String, Long> kept = new HashMap<>();
    sample
        .getCounters()
        .forEach(
            (name, value) -> {
              if (ProtocolCounter.isKept(name) && value != null) {
                kept.put(name, value);
              }
            });
    sample.setCounters(kept);
    return sample;
  }

  @Override
  public void toDeltas(ProtocolSample previous, ProtocolSample current) {
    current.setCounters(
        EntityDeltas.deltaMap(
            previous == null ? null : previous.getCounters(), current.getCounters(), IS_COUNTER));
  }

  @Override
  public ProtocolSample merge(ProtocolSample earlier, ProtocolSample later) {
    later.setCounters(
        EntityDeltas.mergeMap(earlier.getCounters(), later.getCounters(), IS_COUNTER));
    return later;
  }
}
