package dev.culprit.processor.decode;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The fields every sample record starts with, read from any sample type by field name, so generic
 * steps (decoding checks, counter deltas) need no per-type code.
 *
 * @param host host id
 * @param netns network namespace label ("" = the host's own)
 * @param sampleTimeMs event time, epoch ms
 * @param collectorId collector instance id (new per collector start)
 * @param bootId kernel boot id, or null when the collector could not read it
 * @param seq per-collector sequence number on the record's topic
 */
public record SampleHeader(
    String host, String netns, long sampleTimeMs, String collectorId, String bootId, long seq) {

  private static final String[] FIELDS = {
    "host", "netns", "sampleTimeMs", "collectorId", "bootId", "seq"
  };

  // Field positions per generated class, found once: the header is read for every record.
  private static final ClassValue<int[]> POSITIONS =
      new ClassValue<>() {
        @Override
        protected int[] computeValue(Class<?> type) {
          return positions(SpecificData.get().getSchema(type));
        }
      };

  /**
   * The header of a sample record.
   *
   * @throws IllegalArgumentException when the record's schema lacks a header field
   */
  public static SampleHeader of(SpecificRecord sample) {
    int[] p = POSITIONS.get(sample.getClass());
    return new SampleHeader(
        (String) sample.get(p[0]),
        (String) sample.get(p[1]),
        (Long) sample.get(p[2]),
        (String) sample.get(p[3]),
        (String) sample.get(p[4]),
        (Long) sample.get(p[5]));
  }

  /** Whether a record schema carries the sample header. */
  public static boolean isSample(Schema schema) {
    for (String name : FIELDS) {
      if (schema.getField(name) == null) {
        return false;
      }
    }
    return true;
  }

  private static int[] positions(Schema schema) {
    int[] positions = new int[FIELDS.length];
    for (int i = 0; i < FIELDS.length; i++) {
      Schema.Field field = schema.getField(FIELDS[i]);
      if (field == null) {
        throw new IllegalArgumentException(schema.getName() + " has no sample field " + FIELDS[i]);
      }
      positions[i] = field.pos();
    }
    return positions;
  }
}
