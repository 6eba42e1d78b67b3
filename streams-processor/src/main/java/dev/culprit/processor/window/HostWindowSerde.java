package dev.culprit.processor.window;

import dev.culprit.schemas.AvroSerde;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The serde of the internal host-window aggregate: the same single-object encoding as the contract
 * topics, with its own schema history under {@code culprit/avro/history/HostWindowState/}, so the
 * window store changelog and suppression buffer written by one build are read by the next.
 */
public final class HostWindowSerde {

  static {
    // Avro 1.12.2 instantiates generated classes only from trusted packages; trust this module's.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            c -> c.getName().startsWith("dev.culprit.processor.")));
  }

  private static final AvroSerde<HostWindowState> SERDE = new AvroSerde<>(HostWindowState.class);

  private HostWindowSerde() {}

  /** The serde (stateless, shared). */
  public static AvroSerde<HostWindowState> get() {
    return SERDE;
  }
}
