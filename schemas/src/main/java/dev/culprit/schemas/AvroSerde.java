package dev.culprit.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde of one generated Avro class in Avro <em>single-object encoding</em> ({@code C3 01},
 * the 8-byte CRC-64-AVRO fingerprint of the writer schema, then the binary body).
 *
 * <p>Records written with any past version of the schema (kept under {@code
 * culprit/avro/history/<Name>/}) decode into the current class through a {@link SchemaStore}. Bytes
 * that are not such a record fail with a {@link RecordDecodeException} that says why; they never
 * decode into a half-filled record. A null payload (tombstone) is null both ways.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  static {
    // Avro 1.12.2 refuses to instantiate generated classes of untrusted packages; trust ours.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            c -> c.getName().startsWith("dev.culprit.schemas.")));
  }

  private final Class<T> type;
  private final List<Schema> extraWriterSchemas;

  /** Asked for fingerprints not in the history (or null): {@link KafkaSchemaStore} in readers. */
  private final SchemaStore fallback;

  /**
   * The record as it goes on the log and back, for a type with a compact form there (a protocol
   * sample's counters by position, {@link ProtocolCounters}); identity for the others.
   */
  private final UnaryOperator<T> toLog;

  private final UnaryOperator<T> fromLog;

  /**
   * The schema and encoder, parsed on first use: {@link Topics} names every topic, and a process
   * that writes samples (the agent) never touches the result topics' classes.
   */
  private final Lazy<Writer<T>> writer = new Lazy<>(this::newWriter);

  /**
   * Built on the first decode: the agent only encodes, and parsing every past version of every
   * sample schema for a decoder it never uses cost it about a megabyte of heap (BENCHMARKS.md).
   */
  private final Lazy<BinaryMessageDecoder<T>> decoder = new Lazy<>(this::newDecoder);

  private record Writer<T>(SpecificData model, Schema schema, BinaryMessageEncoder<T> encoder) {}

  public AvroSerde(Class<T> type) {
    this(type, List.of());
  }

  /** For tests: also accept records written with {@code extraWriterSchemas}. */
  AvroSerde(Class<T> type, List<Schema> extraWriterSchemas) {
    this(type, extraWriterSchemas, null);
  }

  private AvroSerde(Class<T> type, List<Schema> extraWriterSchemas, SchemaStore fallback) {
    this.type = type;
    this.extraWriterSchemas = List.copyOf(extraWriterSchemas);
    this.fallback = fallback;
    if (type == ProtocolSample.class) {
      @SuppressWarnings("unchecked")
      UnaryOperator<T> pack = r -> (T) ProtocolCounters.pack((ProtocolSample) r);
      @SuppressWarnings("unchecked")
      UnaryOperator<T> unpack = r -> (T) ProtocolCounters.unpack((ProtocolSample) r);
      this.toLog = pack;
      this.fromLog = unpack;
    } else {
      this.toLog = UnaryOperator.identity();
      this.fromLog = UnaryOperator.identity();
    }
  }

  /**
   * This serde, but decoding also records whose writer schema is not in this build's history when
   * {@code fallback} knows it (records of collectors newer than this reader: their schemas are in
   * {@code culprit.schemas}). A fingerprint is asked for once: its decoder is kept.
   */
  public AvroSerde<T> resolvingUnknownWith(SchemaStore fallback) {
    return new AvroSerde<>(type, extraWriterSchemas, java.util.Objects.requireNonNull(fallback));
  }

  private Writer<T> writer() {
    return writer.get();
  }

  private Writer<T> newWriter() {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    return new Writer<>(model, schema, new BinaryMessageEncoder<>(model, schema));
  }

  private BinaryMessageDecoder<T> decoder() {
    return decoder.get();
  }

  private BinaryMessageDecoder<T> newDecoder() {
    Writer<T> w = writer();
    SchemaStore.Cache store = new SchemaStore.Cache();
    SchemaHistory.versions(w.schema().getName()).forEach(store::addSchema);
    extraWriterSchemas.forEach(store::addSchema);
    SchemaStore resolver = store;
    if (fallback != null) {
      SchemaStore last = fallback;
      resolver =
          fingerprint -> {
            Schema known = store.findByFingerprint(fingerprint);
            return known != null ? known : last.findByFingerprint(fingerprint);
          };
    }
    return new BinaryMessageDecoder<>(w.model(), w.schema(), resolver);
  }

  /** The current (writer) schema. */
  public Schema schema() {
    return writer().schema();
  }

  /** The generated class. */
  public Class<T> type() {
    return type;
  }

  /** Encodes one record; never returns null for a non-null record. */
  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = writer().encoder().encode(toLog.apply(record));
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode " + schema().getName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws RecordDecodeException when the bytes are not a single-object-encoded record of this
   *     schema or one of its past versions
   */
  public T decode(byte[] bytes) {
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0xC3 || (bytes[1] & 0xff) != 0x01) {
      throw new RecordDecodeException(
          schema().getName(),
          "not Avro single-object encoding (expected header C3 01 and an 8-byte fingerprint, got "
              + bytes.length
              + " bytes starting "
              + hexPrefix(bytes)
              + ")",
          null);
    }
    try {
      return fromLog.apply(decoder().decode(bytes));
    } catch (IOException
        | AvroRuntimeException
        | IllegalArgumentException
        | IndexOutOfBoundsException e) {
      throw new RecordDecodeException(schema().getName(), describe(e, bytes), e);
    } catch (RuntimeException e) {
      // Corrupt bodies surface as assorted runtime exceptions inside the binary decoder.
      throw new RecordDecodeException(
          schema().getName(), "corrupt record body: " + describe(e, bytes), e);
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    return data == null ? null : encode(data);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return data == null ? null : decode(data);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    // Nothing to configure: the schema and its history come with the class.
  }

  @Override
  public void close() {
    // Stateless: the encoder and decoder hold only thread-local buffers.
  }

  private String describe(Exception e, byte[] bytes) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    if (e instanceof org.apache.avro.message.MissingSchemaException) {
      return "written with an unknown schema (fingerprint "
          + fingerprintOf(bytes)
          + (fallback == null
              ? " is not in this build's schema history)"
              : " is neither in this build's schema history nor in " + SchemaTopic.NAME + ")");
    }
    if (e instanceof SchemaStoreException) {
      return "written with a schema not in this build's schema history (fingerprint "
          + fingerprintOf(bytes)
          + "), and "
          + SchemaTopic.NAME
          + " could not be asked: "
          + message;
    }
    return message == null ? name : name + ": " + message;
  }

  /** The writer fingerprint of a record as {@code culprit.schemas} keys it. */
  private static String fingerprintOf(byte[] bytes) {
    return SchemaTopic.key(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
  }

  private static String hexPrefix(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 8); i++) {
      hex.append(String.format("%02X", bytes[i] & 0xff));
    }
    return hex.length() == 0 ? "(empty)" : hex.toString();
  }
}
