package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.TopicReader;
import dev.culprit.collector.testing.TopicReader.Read;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka publisher against a real embedded KRaft broker. */
class KafkaPublisherTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static EmbeddedBroker broker;

  @TempDir Path spoolDir;

  @BeforeAll
  static void startBroker() throws IOException {
    broker = EmbeddedBroker.startTemporary();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void deliversEachRecordOnceWithSeqPerTopicAndTheSampleTimeAsTimestamp() throws Exception {
    String host = "host-deliver";
    try (KafkaPublisher publisher = open(broker.bootstrapServers(), Map.of())) {
      for (int cycle = 0; cycle < 3; cycle++) {
        Header h = header(host, 1_700_000_000_000L + cycle * 5000L);
        publisher.publish(List.of(probe(h, 1), probe(h, 2), protocol(h, Map.of("Tcp.X", 1L))));
      }
      assertThat(publisher.flush(WAIT)).isTrue();
      assertThat(publisher.stats().spooledRecords()).isZero();
      assertThat(publisher.lastSeq(Topics.PROBE.name())).isEqualTo(6);
    }

    List<Read<ProbeSample>> probes = readProbes(host, 6);
    assertThat(probes).extracting(r -> r.value().getSeq()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(probes).extracting(Read::key).containsOnly(host);
    assertThat(probes)
        .allSatisfy(r -> assertThat(r.timestampMs()).isEqualTo(r.value().getSampleTimeMs()));
    List<Read<ProtocolSample>> protocols =
        TopicReader.readUntil(
            broker.bootstrapServers(), Topics.PROTOCOL, got -> ofHost(got, host).size() >= 3, WAIT);
    assertThat(ofHost(protocols, host))
        .extracting(r -> r.value().getSeq())
        .as("seq counts per topic")
        .containsExactly(1L, 2L, 3L);
  }

  @Test
  void deliversWhatAnEarlierRunLeftInTheSpoolBeforeNewRecords() throws Exception {
    String host = "host-restart";
    Header before = header(host, 1_700_000_000_000L);
    try (KafkaPublisher offline = open("127.0.0.1:" + deadPort(), Map.of())) {
      offline.publish(List.of(probe(before, 1), probe(before, 2), probe(before, 3)));
      assertThat(offline.stats().spooledRecords()).as("3 probes and their schema").isEqualTo(4);
    }

    Header after = header(host, 1_700_000_005_000L);
    try (KafkaPublisher online = open(broker.bootstrapServers(), Map.of())) {
      online.publish(List.of(probe(after, 4)));
      assertThat(online.flush(WAIT)).isTrue();
    }

    assertThat(readProbes(host, 4))
        .extracting(r -> r.value().getSent())
        .as("the earlier run's records first, in order, once")
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void dropsARecordTheBrokerCanNeverTakeAndDeliversTheRest() throws Exception {
    String host = "host-too-large";
    Header h = header(host, 1_700_000_000_000L);
    Map<String, Long> many = new HashMap<>();
    LongStream.range(0, 2000).forEach(i -> many.put("TcpExt.Counter" + i, i));
    Sample tooLarge = protocol(h, many);
    // Room for the protocol schema on culprit.schemas (about 14 KB), not for this sample.
    try (KafkaPublisher publisher =
        open(broker.bootstrapServers(), Map.of("max.request.size", "32768"))) {
      publisher.publish(List.of(probe(h, 1), tooLarge, probe(h, 2)));

      assertThat(publisher.flush(WAIT)).isTrue();
      assertThat(publisher.stats().rejectedRecords()).isEqualTo(1);
      assertThat(publisher.stats().sendErrors()).isZero();
    }
    assertThat(readProbes(host, 2)).extracting(r -> r.value().getSent()).containsExactly(1L, 2L);
  }

  @Test
  void noticesAnUnreachableBrokerAndKeepsTheRecordsSpooled() throws Exception {
    Header h = header("host-unreachable", 1_700_000_000_000L);
    try (KafkaPublisher publisher = open("127.0.0.1:" + deadPort(), Map.of())) {
      publisher.publish(List.of(probe(h, 1), probe(h, 2)));

      assertThat(poll(publisher::brokerUnreachable)).isTrue();
      assertThat(publisher.stats().spooledRecords()).as("2 probes and their schema").isEqualTo(3);
      assertThat(publisher.flush(Duration.ZERO)).isFalse();
    }
  }

  @Test
  void refusesInvalidProducerSettingsAtOnce() {
    assertThatThrownBy(() -> open(broker.bootstrapServers(), Map.of("acks", "sometimes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("acks");
  }

  private KafkaPublisher open(String bootstrap, Map<String, String> overrides) throws IOException {
    return KafkaPublisher.open(bootstrap, overrides, "test", spoolDir, Spool.DEFAULT_MAX_BYTES);
  }

  private static List<Read<ProbeSample>> readProbes(String host, int count) {
    List<Read<ProbeSample>> all =
        TopicReader.readUntil(
            broker.bootstrapServers(),
            Topics.PROBE,
            got -> ofHost(got, host).size() >= count,
            WAIT);
    return ofHost(all, host);
  }

  private static <V> List<Read<V>> ofHost(List<Read<V>> records, String host) {
    return records.stream().filter(r -> r.key().equals(host)).toList();
  }

  /** A loopback port nothing listens on. */
  static int deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static boolean poll(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }
}
