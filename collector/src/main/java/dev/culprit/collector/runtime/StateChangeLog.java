package dev.culprit.collector.runtime;

import dev.culprit.collector.records.SourceState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which source outcomes are worth a log line: a change of state, not every cycle of the
 * same failure. A namespace that vanished is forgotten, so container churn does not grow it.
 */
final class StateChangeLog {

  /** A log line to write. */
  record Change(Level level, String message) {}

  /** How loud. */
  enum Level {
    INFO,
    WARN
  }

  private final Map<CallKey, SourceState> last = new HashMap<>();

  /** The log lines for this cycle's outcomes (in their order). */
  List<Change> update(List<? extends CallOutcome<?>> outcomes) {
    List<Change> changes = new ArrayList<>();
    Set<CallKey> seen = new HashSet<>();
    for (CallOutcome<?> o : outcomes) {
      seen.add(o.key());
      SourceState before = last.put(o.key(), o.state());
      if (before == o.state()) {
        continue;
      }
      Change change = describe(o, before);
      if (change != null) {
        changes.add(change);
      }
    }
    last.keySet().retainAll(seen);
    return changes;
  }

  private static Change describe(CallOutcome<?> o, SourceState before) {
    String what = o.key().describe();
    return switch (o.state()) {
      case OK ->
          before == null
              ? null
              : new Change(Level.INFO, what + " works again (was " + before + ")");
      case NO_DATA -> new Change(Level.INFO, what + ": no data (" + o.reason() + ")");
      case ERROR -> new Change(Level.WARN, what + " failed: " + o.reason());
      case TIMEOUT -> new Change(Level.WARN, what + " timed out: " + o.reason());
      case SKIPPED -> new Change(Level.WARN, what + " skipped: " + o.reason());
    };
  }
}
