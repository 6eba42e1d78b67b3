package dev.culprit.processor.window;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of the host-window aggregate: its stored form is its in-memory form (see {@link
 * HostWindowState}), so serializing returns it and deserializing wraps it.
 */
public final class HostWindowSerde
    implements Serde<HostWindowState>, Serializer<HostWindowState>, Deserializer<HostWindowState> {

  private static final HostWindowSerde INSTANCE = new HostWindowSerde();

  private HostWindowSerde() {}

  /** The serde (stateless, shared). */
  public static HostWindowSerde get() {
    return INSTANCE;
  }

  @Override
  public byte[] serialize(String topic, HostWindowState state) {
    return state == null ? null : state.toBytes();
  }

  @Override
  public HostWindowState deserialize(String topic, byte[] bytes) {
    return bytes == null ? null : HostWindowState.fromBytes(bytes);
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    // Nothing to configure.
  }

  @Override
  public void close() {
    // Stateless.
  }

  @Override
  public Serializer<HostWindowState> serializer() {
    return this;
  }

  @Override
  public Deserializer<HostWindowState> deserializer() {
    return this;
  }
}
