package dev.culprit.processor.delta;

import dev.culprit.schemas.NeighbourEntry;
import dev.culprit.schemas.RouteSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A namespace's routes and unresolved neighbours: state, not counters, except the host-wide
 * neighbour-table counters of the host namespace's sample. Those turn into deltas together (a
 * decrease of any is a reboot or a wrap, and then none gives a delta); the lists are the latest
 * sample's, except that a neighbour entry unresolved in an earlier sample of the window is kept
 * (packets waited or were dropped for it during the window, even if it answered since).
 */
final class RouteKind implements SampleKind<RouteSample> {

  private static final int[] COUNTERS = CounterFields.of(RouteSample.getClassSchema());

  @Override
  public Topic<RouteSample> topic() {
    return Topics.ROUTE;
  }

  @Override
  public void toDeltas(RouteSample previous, RouteSample current) {
    boolean continued = previous != null;
    for (int pos : COUNTERS) {
      Long now = (Long) current.get(pos);
      Long then = previous == null ? null : (Long) previous.get(pos);
      if (now != null && then != null && now < then) {
        continued = false;
      }
    }
    for (int pos : COUNTERS) {
      Long now = (Long) current.get(pos);
      Long then = continued ? (Long) previous.get(pos) : null;
      current.put(pos, now == null || then == null ? null : now - then);
    }
  }

  @Override
  public RouteSample merge(RouteSample earlier, RouteSample later) {
    for (int pos : COUNTERS) {
      Long a = (Long) earlier.get(pos);
      Long b = (Long) later.get(pos);
      later.put(pos, sum(a, b));
    }
    Map<String, NeighbourEntry> merged = new LinkedHashMap<>();
    for (NeighbourEntry n : earlier.getNeighbours()) {
      merged.put(id(n), n);
    }
    for (NeighbourEntry n : later.getNeighbours()) {
      merged.put(id(n), n);
    }
    later.setNeighbours(new ArrayList<>(merged.values()));
    return later;
  }

  private static Long sum(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Long.valueOf(a + b);
  }

  private static String id(NeighbourEntry n) {
    return n.getIfindex() + " " + n.getAddress();
  }

  /** For tests: the counter fields, by name. */
  static List<String> counterNames() {
    return List.of(CounterFields.names(RouteSample.getClassSchema()));
  }
}
