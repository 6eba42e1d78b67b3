package dev.culprit.schemas;

import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/** Records written with an older schema, as a collector of that version would have sent them. */
final class OldRecords {

  private OldRecords() {}

  /** A record of {@code schema} with the common header of host "web-1", collector "c1". */
  static GenericRecord withHeader(Schema schema, long sampleTimeMs, long seq) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("host", "web-1");
    r.put("netns", "");
    r.put("sampleTimeMs", sampleTimeMs);
    r.put("collectorId", "c1");
    r.put("bootId", null);
    r.put("seq", seq);
    return r;
  }

  /** The single-object encoding of {@code record} under its own (old) schema. */
  static byte[] encode(GenericRecord record) throws Exception {
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), record.getSchema())
            .encode(record);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
