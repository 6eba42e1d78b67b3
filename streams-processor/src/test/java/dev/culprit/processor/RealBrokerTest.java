package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor against a real (embedded, KRaft) broker: the seed's samples are produced to the
 * sample topics, and the same four causes the topology test driver gives are consumed from {@code
 * culprit.rootcause.packet-loss}, committed, with exactly-once processing; a poison record ends in
 * {@code culprit.deadletter}.
 */
class RealBrokerTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path stateDir;

  @Test
  void samplesProducedThroughKafkaGiveTheSeedsCausesOnTheResultTopic() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      try (RealBrokers.Running run =
          new RealBrokers.Running(broker, "culprit-real-broker-test", stateDir)) {
        SampleProducer producer = run.producer;
        SeedHost seed = new SeedHost(Scenario.cycle(0));
        producer.send(seed.cycle(Scenario.cycle(0), SeedHost.quiet()));
        producer
            .raw()
            .send(
                new ProducerRecord<>(
                    Topics.QDISC.name(),
                    SeedHost.HOST,
                    "garbage".getBytes(StandardCharsets.UTF_8)));
        producer.send(seed.cycle(Scenario.cycle(1), SeedHost.seed()));
        // The host's next sample, past window 1's end plus grace, closes that window.
        // The host's next cycle closes window 1: its own time, every topic past the window.
        producer.send(seed.cycle(Scenario.closing(1), SeedHost.seed()));
        producer.flush();

        RealBrokers.assertSeedCauses(run.causes, DEADLINE);
        assertThat(RealBrokers.pollUntil(run.deadLetters::poll, 1, DEADLINE))
            .singleElement()
            .satisfies(d -> assertThat(d.getSourceTopic()).isEqualTo(Topics.QDISC.name()));
      }
    }
  }
}
