package dev.culprit.collector.records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocol sample's form on the log: the counters of the schema's {@code counterNames} table as
 * a presence bitmap ({@code counterPresent}) and their values in table order ({@code
 * counterValues}), the rest left in {@code counters}. The same packing as the processor's serde,
 * whose reader unpacks it; WireRecordsTest reads packed records back through that serde.
 */
final class ProtocolPacking {

  private static final List<String> NAMES = ProtocolSample.COUNTER_VALUES_COUNTER_NAMES;

  private static final Map<String, Integer> POSITION = new HashMap<>(NAMES.size() * 2);

  static {
    for (int i = 0; i < NAMES.size(); i++) {
      POSITION.put(NAMES.get(i), i);
    }
  }

  private ProtocolPacking() {}

  /** A packed copy of {@code s}; {@code s} itself when it is packed already or has no counters. */
  static ProtocolSample pack(ProtocolSample s) {
    if (s.getCounterValues() != null || s.getCounters() == null) {
      return s;
    }
    long[] values = new long[NAMES.size()];
    byte[] present = new byte[(NAMES.size() + 7) / 8];
    int count = 0;
    Map<String, Long> rest = new HashMap<>();
    for (Map.Entry<String, Long> e : s.getCounters().entrySet()) {
      Integer at = POSITION.get(e.getKey());
      if (at == null || e.getValue() == null) {
        rest.put(e.getKey(), e.getValue());
      } else {
        values[at] = e.getValue();
        present[at >>> 3] |= (byte) (1 << (at & 7));
        count++;
      }
    }
    List<Long> packed = new ArrayList<>(count);
    for (int i = 0; i < values.length; i++) {
      if ((present[i >>> 3] & (1 << (i & 7))) != 0) {
        packed.add(values[i]);
      }
    }
    ProtocolSample copy = s.copy();
    copy.setCounters(rest);
    copy.setCounterPresent(ByteBuffer.wrap(present));
    copy.setCounterValues(packed);
    return copy;
  }
}
