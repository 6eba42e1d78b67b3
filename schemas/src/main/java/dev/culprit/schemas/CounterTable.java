package dev.culprit.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A protocol sample's counters in the form on the log: the counters of a {@code counterNames} table
 * as a presence bitmap (bit i, byte i / 8, mask 1 << i % 8) and their values in table order, the
 * others left by name. One packing for both writers: the processor's serde ({@link
 * ProtocolCounters}) and the agent's records, which must not load Avro, so this class uses none.
 */
public final class CounterTable {

  /** The packed form of one sample's counters. */
  public record Packed(Map<String, Long> rest, ByteBuffer present, List<Long> values) {}

  private final int size;
  private final Map<String, Integer> position;

  /** A table of {@code names}, in their order on the log. */
  public CounterTable(List<String> names) {
    this.size = names.size();
    this.position = new HashMap<>(names.size() * 2);
    for (int i = 0; i < names.size(); i++) {
      position.put(names.get(i), i);
    }
  }

  /** {@code counters} packed: those of the table (with a value) by position, the rest by name. */
  public Packed pack(Map<String, Long> counters) {
    long[] values = new long[size];
    byte[] present = new byte[(size + 7) / 8];
    int count = 0;
    Map<String, Long> rest = new HashMap<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      Integer at = position.get(e.getKey());
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
    return new Packed(rest, ByteBuffer.wrap(present), packed);
  }
}
