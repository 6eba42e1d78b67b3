package dev.culprit.processor.delta;

import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * Which fields of a contract record are cumulative counters. The contract marks each statistic's
 * doc with {@code counter:} or {@code gauge:}; the delta step reads exactly those marks, so a
 * counter added to a schema gets its delta without code here (a test pins the current lists).
 */
public final class CounterFields {

  private CounterFields() {}

  /** Positions of the fields whose doc starts with {@code counter:}, in schema order. */
  public static int[] of(Schema record) {
    return record.getFields().stream()
        .filter(f -> f.doc() != null && f.doc().stripLeading().startsWith("counter:"))
        .mapToInt(Schema.Field::pos)
        .toArray();
  }

  /** Names of the counter fields, for messages and tests. */
  public static String[] names(Schema record) {
    return Arrays.stream(of(record))
        .mapToObj(p -> record.getFields().get(p).name())
        .toArray(String[]::new);
  }
}
