package dev.culprit.processor.delta;

import dev.culprit.schemas.AvroSerde;
import java.nio.ByteBuffer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The counter baselines: the latest sample of every (host, netns, source), cumulative, as its
 * topic's serde encodes it (so it evolves with the contract's schema history).
 *
 * <p>Key: {@code source NUL host NUL netns} (source first, so each source's delta step sweeps its
 * own prefix). One entry per sample rather than per entity: one read and one write per record, and
 * an entity that disappears (deleted veth, removed rule) disappears with the next sample instead of
 * lingering. Entities are still compared one by one, each with its own restart detection. Value:
 * the sample time (8 bytes, big-endian, read by the sweep without decoding), then the encoded
 * sample.
 */
public final class BaselineStore {

  /** The store (and, prefixed with the application id, its changelog topic). */
  public static final String NAME = "counter-baselines";

  private static final char SEPARATOR = '\u0000';

  private BaselineStore() {}

  /** The store's builder: persistent (it holds every namespace of every host), changelogged. */
  public static StoreBuilder<KeyValueStore<String, byte[]>> builder() {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(NAME), Serdes.String(), Serdes.ByteArray());
  }

  static String key(SampleKind<?> kind, String host, String netns) {
    return kind.name() + SEPARATOR + host + SEPARATOR + netns;
  }

  static String prefix(SampleKind<?> kind) {
    return kind.name() + SEPARATOR;
  }

  static <S extends SpecificRecord> byte[] value(long sampleTimeMs, AvroSerde<S> serde, S sample) {
    byte[] encoded = serde.encode(sample);
    return ByteBuffer.allocate(Long.BYTES + encoded.length)
        .putLong(sampleTimeMs)
        .put(encoded)
        .array();
  }
}
