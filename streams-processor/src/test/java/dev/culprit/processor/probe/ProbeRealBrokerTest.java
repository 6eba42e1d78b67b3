package dev.culprit.processor.probe;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.RealBrokers;
import dev.culprit.processor.ResultFeed;
import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.SampleProducer;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe join on a real (embedded, KRaft) broker with exactly-once processing: probe rounds
 * cross both repartition topics (by target address, then by the target's host) and the cause in the
 * target's window carries them. The window is closed only once the joined round is committed on the
 * second repartition topic, as live samples arriving in real time would leave it the time to.
 */
class ProbeRealBrokerTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String APP = "culprit-probe-real-broker-test";
  private static final String DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";

  @TempDir Path stateDir;

  @Test
  void probeRoundsCrossBothRepartitionTopicsIntoTheTargetsCause() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      ProcessorConfig config = RealBrokers.config(broker, APP, stateDir);
      try (CulpritProcessor processor = new CulpritProcessor(config);
          ResultFeed<RootCause> causes = RealBrokers.feed(broker, Topics.ROOTCAUSE_PACKET_LOSS);
          SampleProducer producer = new SampleProducer(broker)) {
        processor.start();
        SampleFactory node7 = new SampleFactory("node-7", Scenario.cycle(0));
        SampleFactory node2 = new SampleFactory("node-2", Scenario.cycle(0));

        producer.send(web1(node7, 0));
        producer.flush();
        // The claim must be ahead of the probe on the by-address topic: both samples are in
        // different partitions of different topics, which live tasks read at their own pace.
        awaitCommitted(broker, APP + "-" + AddressIndex.BY_ADDRESS + "-repartition", "10.88.0.7");

        node7.at(Scenario.cycle(1));
        node2.at(Scenario.cycle(1));
        producer.send(web1(node7, 300));
        producer.send(
            List.of(node2.probe("culprit-client", "10.88.0.7", 8080, 30, 18, 0.1, 0.4, 3.1)));
        producer.flush();
        awaitCommitted(broker, APP + "-" + AddressIndex.BY_TARGET_HOST + "-repartition", "node-7");

        // node-7's next cycle of both its topics closes the window (its own time, not another
        // host's).
        node7.at(Scenario.closing(1));
        producer.send(web1(node7, 300));
        producer.flush();

        RootCause cause = pollOne(causes);
        assertThat(cause.getCause()).isEqualTo(Cause.FIREWALL_DROP);
        assertThat(cause.getSymptoms())
            .containsEntry("probe.sent", 30L)
            .containsEntry("probe.answered", 18L)
            .containsEntry("probe.clients", 1L);
        assertThat(cause.getSummary())
            .endsWith(
                " Probing client node-2/culprit-client sees 40 % loss to 10.88.0.7:8080 (12 of 30"
                    + " probes unanswered).");
      }
    }
  }

  /** node-7's pod web-1 (eth0 10.88.0.7/16) with a random DROP rule that counted {@code drops}. */
  private static List<SpecificRecord> web1(SampleFactory f, long drops) {
    return List.of(
        f.interfaces(
            "web-1",
            loopback().build(),
            iface("eth0").setAddresses(new ArrayList<>(List.of("10.88.0.7/16"))).build()),
        f.filter(
            "web-1",
            List.of(
                rule("INPUT", 1, "DROP", DROP, 6 + drops, (6 + drops) * 60),
                rule("INPUT", 2, "ACCEPT", "-A INPUT -j ACCEPT", 2 * drops, 2 * drops * 60)),
            List.of(policy("INPUT", "ACCEPT", 0, 0))));
  }

  /** Polls a topic (read committed) until a record with that key is there, or fails. */
  private static void awaitCommitted(EmbeddedBroker broker, String topic, String key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-test-" + topic);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (key.equals(r.key())) {
            return;
          }
        }
      }
    }
    throw new AssertionError("no record keyed " + key + " committed on " + topic + " in time");
  }

  private static RootCause pollOne(ResultFeed<RootCause> causes) {
    List<RootCause> got = new ArrayList<>();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (got.isEmpty() && System.nanoTime() < deadline) {
      got.addAll(causes.poll(Duration.ofMillis(500)));
    }
    assertThat(got).as("causes within %s", DEADLINE).hasSize(1);
    return got.get(0);
  }
}
