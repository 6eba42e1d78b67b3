package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.TopicConfigs;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.TopicReader;
import dev.culprit.collector.testing.TopicReader.Read;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A broker that refuses records for their timestamp (Kafka 4: {@code
 * message.timestamp.after.max.ms}, an hour by default, so a host whose clock runs ahead has every
 * record refused with INVALID_TIMESTAMP): the refused records are dropped and counted, once each,
 * with an ERROR naming the clock; the records the broker takes, even in the same batch, are
 * delivered; nothing loops and the spool drains.
 */
class KafkaPublisherTimestampTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long AHEAD_MS = Duration.ofHours(2).toMillis();

  private static EmbeddedBroker broker;

  @TempDir Path spool;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBroker.startTemporary();
    try (Admin admin = broker.admin()) {
      // A minute instead of the default hour: the same check, at a smaller scale.
      TopicConfigs.set(admin, Topics.PROBE.name(), "message.timestamp.after.max.ms", "60000", WAIT);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** zstd: the built-in client; lz4: the Java client (the built-in one has no lz4). */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void refusedTimestampsAreDroppedAndCountedWhileTheirBatchmatesAreDelivered(String compression)
      throws Exception {
    String host = "host-clock-fixed-" + compression;
    long now = System.currentTimeMillis();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    try (KafkaPublisher publisher =
        KafkaPublisher.open(
            broker.bootstrapServers(),
            Map.of("compression.type", compression),
            "culprit-test",
            spool,
            16L << 20)) {
      publisher.publish(List.of(probe(header(host, now), 100))); // schemas and connection first
      assertThat(publisher.flush(WAIT)).isTrue();
      System.setErr(new PrintStream(new TeeStream(stderr, log), true, StandardCharsets.UTF_8));
      // One append, so one window: five cycles from while the clock ran two hours ahead, then
      // five after it was set right. The probe topic refuses a minute ahead, the protocol topic
      // the broker's default hour: both refuse the first five.
      List<Sample> samples = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Header h = header(host, i < 5 ? now + AHEAD_MS + i : now + i);
        samples.add(probe(h, i));
        samples.add(protocol(h, Map.of("Tcp.X", (long) i)));
      }
      publisher.publish(samples);

      assertThat(publisher.flush(WAIT)).as("the spool drains: nothing waits for ever").isTrue();
      PublisherStats stats = publisher.stats();
      assertThat(stats.timestampRefusedRecords()).as("refused for their timestamp").isEqualTo(10);
      assertThat(stats.rejectedRecords()).as("dropped for good").isEqualTo(10);
      assertThat(stats.spoolDroppedRecords()).isZero();
      assertThat(publisher.brokerUnreachable()).isFalse();
    } finally {
      System.setErr(stderr);
    }
    List<Read<ProbeSample>> probes =
        TopicReader.readUntil(
            broker.bootstrapServers(),
            Topics.PROBE,
            got -> got.stream().filter(r -> r.key().equals(host)).count() >= 6,
            WAIT);
    assertThat(probes.stream().filter(r -> r.key().equals(host)).map(r -> r.value().getSent()))
        .as("the probe samples the broker takes, each once, in order")
        .containsExactly(100L, 5L, 6L, 7L, 8L, 9L);
    List<Read<ProtocolSample>> protocols =
        TopicReader.readUntil(
            broker.bootstrapServers(),
            Topics.PROTOCOL,
            got -> got.stream().filter(r -> r.key().equals(host)).count() >= 5,
            WAIT);
    assertThat(
            protocols.stream()
                .filter(r -> r.key().equals(host))
                .map(r -> r.value().getCounters().get("Tcp.X")))
        .as("the protocol samples the broker takes, each once, in order")
        .containsExactly(5L, 6L, 7L, 8L, 9L);
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged)
        .as("one ERROR says what is wrong and what to do")
        .contains("ERROR")
        .contains("INVALID_TIMESTAMP")
        .contains("clock")
        .contains("message.timestamp.after.max.ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void aHostWhoseClockRunsAheadDoesNotLoopAndLogsOnce(String compression) throws Exception {
    String host = "host-clock-ahead-" + compression;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new TeeStream(stderr, log), true, StandardCharsets.UTF_8));
    try (KafkaPublisher publisher =
        KafkaPublisher.open(
            broker.bootstrapServers(),
            Map.of("compression.type", compression),
            "culprit-test",
            spool,
            16L << 20)) {
      int cycles = 200;
      for (int i = 0; i < cycles; i++) {
        Header h = header(host, System.currentTimeMillis() + AHEAD_MS);
        publisher.publish(List.of(probe(h, i), protocol(h, Map.of("Tcp.X", (long) i))));
      }
      assertThat(publisher.flush(WAIT)).as("the spool drains").isTrue();
      PublisherStats stats = publisher.stats();
      assertThat(stats.timestampRefusedRecords()).isEqualTo(2L * cycles);
      assertThat(stats.connectionsOpened())
          .as("no reconnect loop: one connection to the one broker")
          .isLessThanOrEqualTo(2);
      assertThat(stats.sendErrors()).as("nothing retried").isZero();
    } finally {
      System.setErr(stderr);
    }
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged.lines().filter(l -> l.contains("ERROR") && l.contains("clock")))
        .as("the clock is named once, not once per record")
        .hasSize(1);
  }

  /**
   * A schema announcement is stamped at send time: a clock running ahead gets it refused too. Once
   * the clock is right, the next records come with their schema announced again, or a reader that
   * needs it (a processor older than this collector) would never learn it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void aSchemaAnnouncementRefusedForItsTimestampIsMadeAgain(String compression) throws Exception {
    String host = "host-schema-refused-" + compression;
    String schemaKey = SchemaTopic.key(Topics.PROBE.valueSchema());
    // Records stamped before the broker's own clock are refused: a sender clock ahead of the
    // broker's, seen from the broker (whose check is the same either way).
    schemasTimestampBeforeMax("0");
    KafkaPublisher publisher = null;
    try {
      long now = System.currentTimeMillis();
      // Stamped and checked within the same millisecond, an announcement is taken: a new
      // publisher (which announces again) until one is refused.
      for (int attempt = 0; publisher == null; attempt++) {
        assertThat(attempt).as("a schema announcement refused within 50 attempts").isLessThan(50);
        KafkaPublisher p =
            KafkaPublisher.open(
                broker.bootstrapServers(),
                Map.of("compression.type", compression),
                "culprit-test",
                spool.resolve("attempt-" + attempt),
                16L << 20);
        p.publish(List.of(probe(header(host, now), 0)));
        assertThat(p.flush(WAIT)).isTrue();
        if (p.stats().timestampRefusedRecords() > 0) {
          publisher = p;
        } else {
          p.close();
        }
      }
      assertThat(publisher.stats().timestampRefusedRecords())
          .as("the schema announcement alone refused")
          .isEqualTo(1);
      long before = schemaRecords(schemaKey);
      schemasTimestampBeforeMax(null); // the clock set right
      publisher.publish(List.of(probe(header(host, now + 1), 1)));
      assertThat(publisher.flush(WAIT)).isTrue();
      assertThat(schemaRecords(schemaKey))
          .as("the probe schema announced again once the broker took it")
          .isEqualTo(before + 1);
      publisher.publish(List.of(probe(header(host, now + 2), 2)));
      assertThat(publisher.flush(WAIT)).isTrue();
      assertThat(schemaRecords(schemaKey)).as("and then not again").isEqualTo(before + 1);
    } finally {
      if (publisher != null) {
        publisher.close();
      }
      schemasTimestampBeforeMax(null);
    }
  }

  private static void schemasTimestampBeforeMax(String value) throws Exception {
    try (Admin admin = broker.admin()) {
      TopicConfigs.set(admin, SchemaTopic.NAME, "message.timestamp.before.max.ms", value, WAIT);
    }
  }

  /** The records in {@code culprit.schemas} with {@code key}, read to the end. */
  private static long schemaRecords(String key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(SchemaTopic.NAME).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long n = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read to the end in time").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          n += key.equals(r.key()) ? 1 : 0;
        }
      }
      return n;
    }
  }

  /** Writes to two streams: the test's stderr stays visible and is also kept for checks. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
