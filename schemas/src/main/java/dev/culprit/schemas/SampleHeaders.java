package dev.culprit.schemas;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The fields every sample schema starts with ({@code host}, {@code netns}, {@code sampleTimeMs},
 * {@code collectorId}, {@code bootId}, {@code seq}), set by name on any sample record, so whoever
 * builds samples (the collector, benchmarks, tests) sets only each topic's own fields.
 */
public final class SampleHeaders {

  private SampleHeaders() {}

  /**
   * Sets the header fields of {@code record} and returns it.
   *
   * @throws IllegalArgumentException when the record's schema lacks one of them (not a sample)
   */
  public static <R extends SpecificRecord> R stamp(
      R record,
      String host,
      String netns,
      long sampleTimeMs,
      String collectorId,
      String bootId,
      long seq) {
    put(record, "host", host);
    put(record, "netns", netns);
    put(record, "sampleTimeMs", sampleTimeMs);
    put(record, "collectorId", collectorId);
    put(record, "bootId", bootId);
    put(record, "seq", seq);
    return record;
  }

  /**
   * As {@link #stamp(SpecificRecord, String, String, long, String, String, long)}, and the
   * namespace's kind where the schema has a {@code netnsKind} field (the per-namespace samples);
   * host-wide samples have none and ignore it.
   */
  public static <R extends SpecificRecord> R stamp(
      R record,
      String host,
      String netns,
      NetnsKind netnsKind,
      long sampleTimeMs,
      String collectorId,
      String bootId,
      long seq) {
    stamp(record, host, netns, sampleTimeMs, collectorId, bootId, seq);
    Schema.Field kind = record.getSchema().getField("netnsKind");
    if (kind != null) {
      record.put(kind.pos(), netnsKind);
    }
    return record;
  }

  /** The namespace kind a sample carries; null when its schema or its writer has none. */
  public static NetnsKind netnsKind(SpecificRecord record) {
    Schema.Field kind = record.getSchema().getField("netnsKind");
    return kind == null ? null : (NetnsKind) record.get(kind.pos());
  }

  private static void put(SpecificRecord record, String name, Object value) {
    Schema.Field field = record.getSchema().getField(name);
    if (field == null) {
      throw new IllegalArgumentException(
          record.getSchema().getFullName() + " has no " + name + " field: not a sample record");
    }
    record.put(field.pos(), value);
  }
}
