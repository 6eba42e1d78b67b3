package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps the processor alive, and what stops it, against a real broker: a poison record too
 * large to be carried whole becomes a bounded dead letter and the seed's causes still come out; a
 * record that kills the stream thread every time stops the instance with the error instead of a
 * crash loop.
 */
class RealBrokerRobustnessTest {

  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path stateDir;

  @Test
  void aTwoMibPoisonRecordBecomesABoundedDeadLetterAndProcessingGoesOn() throws Exception {
    // Compressed it fits the broker's 1 MiB limit; a dead letter carrying it whole would exceed
    // the producer's max.request.size, which is measured uncompressed.
    byte[] poison = new byte[2 * 1024 * 1024];
    byte[] pattern = "garbage, not Avro; ".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < poison.length; i++) {
      poison[i] = pattern[i % pattern.length];
    }
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      ProcessorConfig config = RealBrokers.config(broker, "culprit-poison-test", stateDir);
      try (CulpritProcessor processor = new CulpritProcessor(config);
          ResultFeed<RootCause> causes = RealBrokers.feed(broker, Topics.ROOTCAUSE_PACKET_LOSS);
          ResultFeed<DeadLetter> deadLetters = RealBrokers.feed(broker, Topics.DEAD_LETTER);
          SampleProducer producer = new SampleProducer(broker);
          KafkaProducer<String, byte[]> gzip = gzipProducer(broker)) {
        processor.start();

        SeedHost seed = new SeedHost(Scenario.cycle(0));
        producer.send(seed.cycle(Scenario.cycle(0), SeedHost.quiet()));
        producer.flush();
        gzip.send(new ProducerRecord<>(Topics.INTERFACE.name(), SeedHost.HOST, poison)).get();
        producer.send(seed.cycle(Scenario.cycle(1), SeedHost.seed()));
        // The host's next cycle closes window 1: its own time, every topic past the window.
        producer.send(seed.cycle(Scenario.closing(1), SeedHost.seed()));
        producer.flush();

        DeadLetter letter = RealBrokers.pollUntil(deadLetters::poll, 1, DEADLINE).get(0);
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.INTERFACE.name());
        assertThat(letter.getValueSize()).isEqualTo(poison.length);
        assertThat(bytes(letter.getValue()))
            .hasSize(dev.culprit.processor.decode.DeadLetters.MAX_VALUE_BYTES)
            .startsWith(java.util.Arrays.copyOf(poison, 64));
        assertThat(letter.getValueSha256())
            .isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(poison)));
        assertThat(RealBrokers.pollUntil(causes::poll, 4, DEADLINE))
            .as("the seed's causes after the poison")
            .hasSize(4);
        assertThat(processor.failure()).isNotDone();
      }
    }
  }

  @Test
  void aRecordThatKillsTheStreamThreadEveryTimeStopsTheInstanceAfterThreeDeaths() throws Exception {
    String input = "culprit-test-always-fails";
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      try (Admin admin =
          Admin.create(Map.of("bootstrap.servers", (Object) broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic(input, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      ProcessorConfig config = RealBrokers.config(broker, "culprit-crash-loop-test", stateDir);
      Topology topology = new Topology();
      topology.addSource(
          "always-fails-source",
          Serdes.String().deserializer(),
          Serdes.String().deserializer(),
          input);
      topology.addProcessor("always-fails", AlwaysFails::new, "always-fails-source");
      try (CulpritProcessor processor =
              new CulpritProcessor(config, topology, new ThreadDeaths(3, Duration.ofMinutes(5)));
          KafkaProducer<String, byte[]> producer = gzipProducer(broker)) {
        processor.start();
        producer
            .send(
                new ProducerRecord<>(
                    input, "k", "the same record".getBytes(StandardCharsets.UTF_8)))
            .get();

        Throwable failure = processor.failure().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(failure)
            .isInstanceOf(ProcessorFailedException.class)
            .hasMessageContaining("died 3 times within PT5M")
            .hasRootCauseMessage("cannot process the same record");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (processor.state() != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(50);
        }
        assertThat(processor.state()).isEqualTo(KafkaStreams.State.ERROR);
      }
    }
  }

  /**
   * An Error is not an Exception: no processing-exception handler turns it into a dead letter, like
   * a bug that breaks the thread rather than one record.
   */
  private static final class AlwaysFails implements Processor<String, String, Void, Void> {
    @Override
    public void process(Record<String, String> r) {
      throw new AssertionError("cannot process " + r.value());
    }
  }

  private static KafkaProducer<String, byte[]> gzipProducer(EmbeddedBroker broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    return OrderedProducer.create(p);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
