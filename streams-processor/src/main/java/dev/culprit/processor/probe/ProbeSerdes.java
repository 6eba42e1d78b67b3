package dev.culprit.processor.probe;

import dev.culprit.schemas.AvroSerde;
import org.apache.avro.util.ClassSecurityValidator;

/** The serdes of the probe join's internal records (stores, repartition topics, host windows). */
public final class ProbeSerdes {

  static {
    // Avro 1.12.2 instantiates generated classes only from trusted packages; trust this module's.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            c -> c.getName().startsWith("dev.culprit.processor.")));
  }

  public static final AvroSerde<AddressEvent> ADDRESS_EVENT = new AvroSerde<>(AddressEvent.class);
  public static final AvroSerde<AddressOwners> ADDRESS_OWNERS =
      new AvroSerde<>(AddressOwners.class);
  public static final AvroSerde<NamespaceAddresses> NAMESPACE_ADDRESSES =
      new AvroSerde<>(NamespaceAddresses.class);
  public static final AvroSerde<ProbeObservation> OBSERVATION =
      new AvroSerde<>(ProbeObservation.class);
  public static final AvroSerde<ProbeWindow> WINDOW = new AvroSerde<>(ProbeWindow.class);

  private ProbeSerdes() {}
}
