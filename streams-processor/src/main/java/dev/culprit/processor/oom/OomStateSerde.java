package dev.culprit.processor.oom;

import dev.culprit.processor.rules.oom.Observation;
import dev.culprit.schemas.AvroSerde;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.Topics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The serde of the OOM join's state, and the encoding of the samples kept inside it (with their
 * contract serdes, so old state stays readable as the contract evolves).
 */
final class OomStateSerde {

  static {
    // Avro 1.12.2 instantiates generated classes only from trusted packages; trust this module's.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            c -> c.getName().startsWith("dev.culprit.processor.")));
  }

  private static final AvroSerde<OomContainerState> SERDE =
      new AvroSerde<>(OomContainerState.class);

  private OomStateSerde() {}

  static AvroSerde<OomContainerState> get() {
    return SERDE;
  }

  /** A fresh state for a container. */
  static OomContainerState empty(String host, String container) {
    return OomContainerState.newBuilder()
        .setHost(host)
        .setContainer(container)
        .setObservations(new ArrayList<>())
        .setPendingKills(new ArrayList<>())
        .setReported(new ArrayList<>())
        .build();
  }

  /** An observation as a one-container sample. */
  static ByteBuffer encode(ContainerSample sample, ContainerStats stats) {
    ContainerSample one =
        ContainerSample.newBuilder(sample).setContainers(new ArrayList<>(List.of(stats))).build();
    return ByteBuffer.wrap(Topics.CONTAINER.valueSerde().encode(one));
  }

  static Observation decodeObservation(ByteBuffer bytes) {
    ContainerSample s = Topics.CONTAINER.valueSerde().decode(array(bytes));
    return new Observation(
        s.getSampleTimeMs(), s.getCollectorId(), s.getTrigger(), s.getContainers().get(0));
  }

  static ByteBuffer encodeKill(KernelOomSample kill) {
    return ByteBuffer.wrap(Topics.KERNEL.valueSerde().encode(kill));
  }

  static KernelOomSample decodeKill(ByteBuffer bytes) {
    return Topics.KERNEL.valueSerde().decode(array(bytes));
  }

  private static byte[] array(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
