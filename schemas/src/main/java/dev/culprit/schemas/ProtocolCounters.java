package dev.culprit.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The compact form of a {@link ProtocolSample}'s counters on the log: instead of some 400
 * name-value pairs (the names are nine tenths of the bytes, and a record compressed alone keeps
 * most of them), a bitmap of which counters of a fixed name table are present and their values in
 * table order (issue 17: a protocol sample alone went from 3.2 KB to 0.46 KB on the log,
 * BENCHMARKS.md).
 *
 * <p>The table is the {@code counterNames} property of the {@code counterValues} field, so the
 * schema that writes the records carries it. It only ever grows at its end (a test holds every
 * history version's table to be a prefix of the current one): positions never change meaning, and a
 * reader decodes records written with any table up to its own. Counters a kernel has that the table
 * lacks stay name-value pairs in {@code counters}: every counter is kept.
 *
 * <p>{@link AvroSerde} packs before encoding and unpacks after decoding, so code using the
 * generated class (the processor, replay, the JSON renderer) always sees every counter in {@code
 * counters} and the compact fields null, for old records and new.
 */
final class ProtocolCounters {

  /** The table, in position order. */
  static final List<String> NAMES = names(ProtocolSample.getClassSchema());

  private static final CounterTable TABLE = new CounterTable(NAMES);

  private static final int FIELD_COUNTERS =
      ProtocolSample.getClassSchema().getField("counters").pos();
  private static final int FIELD_PRESENT =
      ProtocolSample.getClassSchema().getField("counterPresent").pos();
  private static final int FIELD_VALUES =
      ProtocolSample.getClassSchema().getField("counterValues").pos();

  private ProtocolCounters() {}

  /** The counter-name table of a ProtocolSample schema (empty before the compact form). */
  static List<String> names(Schema schema) {
    Schema.Field field = schema.getField("counterValues");
    Object names = field == null ? null : field.getObjectProp("counterNames");
    if (names == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object n : (List<?>) names) {
      out.add((String) n);
    }
    return List.copyOf(out);
  }

  /**
   * A copy of {@code s} in the compact form (sharing its other fields); {@code s} itself is not
   * changed. A record already compact is returned as it is.
   */
  static ProtocolSample pack(ProtocolSample s) {
    if (s.getCounterValues() != null || s.getCounters() == null) {
      return s;
    }
    CounterTable.Packed packed = TABLE.pack(s.getCounters());
    ProtocolSample copy = new ProtocolSample();
    int fields = ProtocolSample.getClassSchema().getFields().size();
    for (int i = 0; i < fields; i++) {
      copy.put(i, s.get(i));
    }
    copy.put(FIELD_COUNTERS, packed.rest());
    copy.put(FIELD_PRESENT, packed.present());
    copy.put(FIELD_VALUES, packed.values());
    return copy;
  }

  /**
   * {@code s} with the compact form merged into {@code counters} and the compact fields null (in
   * place: {@code s} is a record just decoded). A record of the old form is returned unchanged.
   *
   * @throws IllegalArgumentException when the record uses table positions this build does not know
   *     (written by a newer collector: upgrade the reader first) or its values do not match its
   *     bitmap
   */
  static ProtocolSample unpack(ProtocolSample s) {
    List<Long> values = s.getCounterValues();
    if (values == null) {
      return s;
    }
    ByteBuffer bits = s.getCounterPresent();
    if (bits == null) {
      throw new IllegalArgumentException("counterValues without counterPresent");
    }
    Map<String, Long> rest = s.getCounters();
    Map<String, Long> counters = new HashMap<>(values.size() + (rest == null ? 0 : rest.size()));
    int base = bits.position();
    int bytes = bits.remaining();
    int next = 0;
    for (int b = 0; b < bytes; b++) {
      int mask = bits.get(base + b) & 0xff;
      while (mask != 0) {
        int bit = Integer.numberOfTrailingZeros(mask);
        mask &= mask - 1;
        int at = b * 8 + bit;
        if (at >= NAMES.size()) {
          throw new IllegalArgumentException(
              "counter position "
                  + at
                  + " is beyond this build's table of "
                  + NAMES.size()
                  + " protocol counter names (written by a newer collector: upgrade the reader)");
        }
        if (next >= values.size()) {
          throw new IllegalArgumentException(
              "counterPresent marks more counters than counterValues holds ("
                  + values.size()
                  + ")");
        }
        counters.put(NAMES.get(at), values.get(next++));
      }
    }
    if (next != values.size()) {
      throw new IllegalArgumentException(
          "counterValues holds " + values.size() + " values for " + next + " marked counters");
    }
    if (rest != null) {
      counters.putAll(rest);
    }
    s.setCounters(counters);
    s.setCounterPresent(null);
    s.setCounterValues(null);
    return s;
  }
}
