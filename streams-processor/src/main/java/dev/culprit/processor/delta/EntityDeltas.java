package dev.culprit.processor.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;

/**
 * Counter arithmetic on the entities of a sample (interfaces, qdiscs, rules) and on counter maps.
 * Both work in place on freshly decoded records, which nothing else holds.
 *
 * <p>An entity is matched with its previous state by an id; an id that repeats within one sample
 * (two identical firewall rules in a chain) is told apart by its occurrence. A counter that went
 * down means the entity's counters restarted (device re-created, qdisc replaced, 32-bit wrap): all
 * of that entity's counters then give no delta, never a negative one.
 */
final class EntityDeltas {

  private EntityDeltas() {}

  /**
   * Replaces every counter of {@code current}'s entities by its increase since the entity of the
   * same id in {@code previous}; null when there is none, the entity restarted, or either value is
   * absent.
   */
  static <R extends SpecificRecord> void deltaInPlace(
      List<R> previous, List<R> current, Function<R, String> id, int[] counters) {
    Map<String, R> before = previous == null ? Map.of() : index(previous, id);
    List<String> ids = ids(current, id);
    for (int i = 0; i < current.size(); i++) {
      R now = current.get(i);
      R then = before.get(ids.get(i));
      boolean continued = then != null && !decreased(then, now, counters);
      for (int pos : counters) {
        Long after = (Long) now.get(pos);
        Long prior = continued ? (Long) then.get(pos) : null;
        now.put(pos, after == null || prior == null ? null : after - prior);
      }
    }
  }

  /**
   * Merges the deltas of an earlier sample into a later one of the same window: counters of
   * entities with the same id are summed, gauges stay the later ones, and entities only the earlier
   * sample had are kept.
   */
  static <R extends SpecificRecord> void mergeInPlace(
      List<R> earlier, List<R> later, Function<R, String> id, int[] counters) {
    Map<String, R> before = index(earlier, id);
    List<String> laterIds = ids(later, id);
    for (int i = 0; i < later.size(); i++) {
      R then = before.remove(laterIds.get(i));
      if (then != null) {
        R now = later.get(i);
        for (int pos : counters) {
          now.put(pos, sum((Long) then.get(pos), (Long) now.get(pos)));
        }
      }
    }
    later.addAll(before.values());
  }

  /**
   * The counter map of a sample turned into deltas: counters (per {@code isCounter}) become their
   * increase, gauges keep their value. If any counter went down the whole map restarted (the
   * namespace was re-created) and no counter gives a delta.
   */
  static Map<String, Long> deltaMap(
      Map<String, Long> previous, Map<String, Long> current, Predicate<String> isCounter) {
    boolean restarted = previous == null;
    if (!restarted) {
      for (Map.Entry<String, Long> e : current.entrySet()) {
        Long prior = previous.get(e.getKey());
        if (prior != null && isCounter.test(e.getKey()) && e.getValue() < prior) {
          restarted = true;
          break;
        }
      }
    }
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<String, Long> e : current.entrySet()) {
      if (!isCounter.test(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      } else if (!restarted) {
        Long prior = previous.get(e.getKey());
        if (prior != null) {
          out.put(e.getKey(), e.getValue() - prior);
        }
      }
    }
    return out;
  }

  /** Merges two delta maps of one window: counters summed, gauges from the later. */
  static Map<String, Long> mergeMap(
      Map<String, Long> earlier, Map<String, Long> later, Predicate<String> isCounter) {
    Map<String, Long> out = new HashMap<>(later);
    earlier.forEach(
        (name, value) -> {
          if (isCounter.test(name)) {
            out.merge(name, value, Long::sum);
          } else {
            out.putIfAbsent(name, value);
          }
        });
    return out;
  }

  private static <R extends SpecificRecord> boolean decreased(R then, R now, int[] counters) {
    for (int pos : counters) {
      Long prior = (Long) then.get(pos);
      Long after = (Long) now.get(pos);
      if (prior != null && after != null && after < prior) {
        return true;
      }
    }
    return false;
  }

  private static Long sum(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + b;
  }

  private static <R> Map<String, R> index(List<R> records, Function<R, String> id) {
    List<String> ids = ids(records, id);
    Map<String, R> byId = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      byId.put(ids.get(i), records.get(i));
    }
    return byId;
  }

  private static <R> List<String> ids(List<R> records, Function<R, String> id) {
    List<String> ids = new ArrayList<>(records.size());
    Map<String, Integer> seen = new HashMap<>();
    for (R record : records) {
      String base = id.apply(record);
      int occurrence = seen.merge(base, 1, Integer::sum);
      ids.add(occurrence == 1 ? base : base + "#" + occurrence);
    }
    return ids;
  }
}
