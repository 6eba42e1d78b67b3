package dev.culprit.processor.oom;

import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;

/** The whole topology in a TopologyTestDriver, seen from the OOM side: samples in, causes out. */
final class OomStream implements AutoCloseable {

  final TopologyHarness harness = new TopologyHarness();
  private final TestOutputTopic<String, RootCause> oom =
      harness
          .driver()
          .createOutputTopic(
              Topics.ROOTCAUSE_OOM.name(),
              Topics.ROOTCAUSE_OOM.keySerde().deserializer(),
              Topics.ROOTCAUSE_OOM.valueSerde().deserializer());
  private long seq;

  /** A periodic container sample of the test host at {@code timeMs}. */
  OomStream periodic(long timeMs, ContainerStats... containers) {
    harness.pipe(sample(timeMs, null, containers));
    return this;
  }

  /** A sample captured on an engine event. */
  OomStream triggered(long timeMs, String trigger, ContainerStats container) {
    harness.pipe(sample(timeMs, trigger, container));
    return this;
  }

  OomStream pipe(org.apache.avro.specific.SpecificRecord record) {
    harness.pipe(record);
    return this;
  }

  List<RootCause> causes() {
    return oom.readValuesToList();
  }

  private ContainerSample sample(long timeMs, String trigger, ContainerStats... containers) {
    return ContainerSample.newBuilder()
        .setHost(OomFixtures.HOST)
        .setNetns("")
        .setSampleTimeMs(timeMs)
        .setCollectorId("c-1")
        .setBootId("boot-1")
        .setSeq(seq++)
        .setTrigger(trigger)
        .setContainers(new ArrayList<>(List.of(containers)))
        .build();
  }

  @Override
  public void close() {
    harness.close();
  }
}
