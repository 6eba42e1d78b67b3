package dev.culprit.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 §1 on a real broker, 100 hosts: a faulty host whose collector could not reach Kafka for
 * five minutes (its spool held 30 cycles) drains them after the rest of the fleet moved on, and
 * another host's clock runs a day ahead. Every window of the outage is judged when its samples
 * come, with the causes — ids included — of the same samples delivered on time, marked with how
 * late; the day-ahead host's samples are dead letters; every other host's causes are those of the
 * fleet without either disturbance, and no sample is dropped as late.
 */
class HostOutageRealBrokerTest {

  private static final int HOSTS = 100;
  private static final int CYCLES = 40;
  private static final int CUT_FROM = 5;
  private static final int CUT_TO = 35; // exclusive: 30 cycles of 10 s, five minutes
  private static final long INTERVAL_MS = 10_000;
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path stateDir;

  @Test
  void aHostCutOffForFiveMinutesGetsItsOutageWindowsJudgedWhenItsSpoolDrains() throws Exception {
    FleetGenerator fleet =
        new FleetGenerator(
            new FleetGenerator.Options(HOSTS, 2, Duration.ofMillis(INTERVAL_MS), 0.3));
    int cut = firstFaultyHost(fleet);
    String cutHost = FleetGenerator.hostName(cut);
    // An hour ago, so every sample is in the processor's past (none is too far ahead).
    long base = (System.currentTimeMillis() - 3_600_000) / INTERVAL_MS * INTERVAL_MS;

    // The reference: the same samples in time order through the topology test driver.
    Map<String, RootCause> onTime = new TreeMap<>();
    Map<String, FleetIncident> incidentsOnTime = new TreeMap<>();
    try (TopologyHarness h = TopologyHarness.hostTime(ProcessorConfig.defaults("ttd:9092"))) {
      for (int c = 0; c < CYCLES; c++) {
        for (int host = 0; host < HOSTS; host++) {
          for (FleetGenerator.Generated g : fleet.hostCycle(host, c, time(fleet, base, host, c))) {
            h.pipeRaw(g.topic(), g.key(), g.value());
          }
        }
      }
      // The last windows of a host close only with its later samples, live or not: compared up
      // to a few windows before the end.
      h.causes().stream()
          .filter(r -> r.getWindowStartMs() < base + (CYCLES - 3) * INTERVAL_MS)
          .forEach(r -> onTime.put(r.getEventId().toString(), r));
      h.incidents().stream()
          .filter(i -> i.getWindowStartMs() < base + (CYCLES - 6) * INTERVAL_MS)
          .forEach(i -> incidentsOnTime.put(incidentKey(i), i));
    }
    assertThat(
            incidentsOnTime.values().stream()
                .filter(
                    i -> i.getHosts().contains(cutHost) && inOutage(i.getWindowStartMs(), base)))
        .as("the cut-off host's fault is part of fleet incidents in the outage")
        .isNotEmpty();
    long outageCauses =
        onTime.values().stream()
            .filter(r -> r.getHost().equals(cutHost) && inOutage(r, base))
            .count();
    assertThat(outageCauses).as("the cut-off host's fault gives causes in the outage").isPositive();

    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      ProcessorConfig config =
          ProcessorConfig.defaults(broker.bootstrapServers())
              .withApplicationId("culprit-host-outage-test")
              .withStateDir(stateDir);
      try (CulpritProcessor processor = new CulpritProcessor(config);
          KafkaProducer<String, byte[]> producer = producer(broker)) {
        processor.start();
        // A host whose clock jumped a day ahead, sampling beside the others.
        FleetGenerator skewedFleet =
            new FleetGenerator(new FleetGenerator.Options(1, 2, Duration.ofMillis(INTERVAL_MS), 0));
        int skewedRecords = 0;
        List<FleetGenerator.Generated> spool = new ArrayList<>();
        for (int c = 0; c < CYCLES; c++) {
          for (int host = 0; host < HOSTS; host++) {
            List<FleetGenerator.Generated> cycle =
                fleet.hostCycle(host, c, time(fleet, base, host, c));
            if (host == cut && c >= CUT_FROM && c < CUT_TO) {
              spool.addAll(cycle);
            } else if (host == cut && c >= CUT_TO) {
              spool.addAll(cycle); // behind its own spool: a topic's records stay in order
            } else {
              send(producer, cycle);
            }
          }
          List<FleetGenerator.Generated> ahead =
              skewedFleet.hostCycle(0, c, base + 86_400_000L + c * INTERVAL_MS).stream()
                  .map(g -> withKey(g, SKEWED_HOST))
                  .toList();
          // Stamped with the broker's time: a Kafka 4 broker refuses record timestamps more than
          // an hour ahead (log.message.timestamp.after.max.ms), and a refused batch takes the
          // other hosts' records in it along. The sample times inside stay a day ahead.
          for (FleetGenerator.Generated g : ahead) {
            producer.send(
                new ProducerRecord<>(
                    g.topic().name(), null, System.currentTimeMillis(), g.key(), g.value()));
          }
          skewedRecords += ahead.size();
        }
        producer.flush();
        // The fleet is five minutes past the outage; now the collector reconnects.
        send(producer, spool);
        producer.flush();

        // Every window the reference closed comes live too, except the last ones no later sample
        // of the host closes (the reference ends with the same open windows).
        Map<String, Record> live = poll(broker, onTime.size(), base + (CYCLES - 3) * INTERVAL_MS);
        assertThat(describe(live.keySet(), onTime, live))
            .as("events live but not on time (+) and on time but not live (-)")
            .isEmpty();
        for (Map.Entry<String, Record> e : live.entrySet()) {
          assertThat(e.getValue().cause()).isEqualTo(onTime.get(e.getKey()));
        }
        List<Record> outage =
            live.values().stream()
                .filter(r -> r.cause().getHost().equals(cutHost) && inOutage(r.cause(), base))
                .toList();
        assertThat(outage).hasSize((int) outageCauses);
        assertThat(
                outage.stream()
                    .filter(r -> r.cause().getWindowStartMs() < base + 25 * INTERVAL_MS)
                    .toList())
            .as("judged when the spool drained, more than a window behind the fleet")
            .isNotEmpty()
            .allSatisfy(r -> assertThat(r.lateMs()).isGreaterThan(INTERVAL_MS));
        assertThat(outage.stream().mapToLong(Record::lateMs).max().orElse(0))
            .as("the outage's first windows, about five minutes behind")
            .isGreaterThan(4 * 60_000L);
        // The fleet windows its votes reached minutes after they closed count it in the end: the
        // last record of each signature and window is the on-time one.
        Map<String, FleetIncident> incidents = pollIncidents(broker, incidentsOnTime);
        assertThat(incidents.keySet()).isEqualTo(incidentsOnTime.keySet());
        for (Map.Entry<String, FleetIncident> e : incidents.entrySet()) {
          assertThat(e.getValue().getHosts())
              .as("hosts of %s", e.getKey())
              .isEqualTo(incidentsOnTime.get(e.getKey()).getHosts());
        }
        assertThat(processor.culpritMetrics().late()).doesNotContainKey("fleet-vote");
        // Every sample counted; probe rounds are not compared: sent in bulk, they reach their
        // target's window through two repartition topics after the samples closed it (all the
        // generated rounds are answered, so they change no cause).
        assertThat(processor.culpritMetrics().deadLetters())
            .as("the day-ahead host's samples, dead letters")
            .containsEntry("clock-skew", (long) skewedRecords);
        Map<String, Long> late = new TreeMap<>(processor.culpritMetrics().late());
        late.remove("probe");
        assertThat(late.values())
            .as("no sample dropped as late")
            .allSatisfy(n -> assertThat(n).isZero());
      }
    }
  }

  private static final String SKEWED_HOST = "skewed-clock-1";

  private record Record(RootCause cause, long lateMs) {}

  /** The record as the skewed host sent it: keyed and stamped with its own name. */
  private static FleetGenerator.Generated withKey(FleetGenerator.Generated g, String host) {
    return new FleetGenerator.Generated(
        g.topic(), host, rename(g.topic(), g.value(), host), g.sampleTimeMs());
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> byte[] rename(
      dev.culprit.schemas.Topic<V> topic, byte[] value, String host) {
    V sample = topic.valueSerde().decode(value);
    sample.put(0, host);
    return topic.valueSerde().encode(sample);
  }

  private static List<String> describe(
      java.util.Set<String> liveIds, Map<String, RootCause> onTime, Map<String, Record> live) {
    List<String> out = new ArrayList<>();
    for (String id : liveIds) {
      if (!onTime.containsKey(id)) {
        RootCause c = live.get(id).cause();
        out.add("+ " + c.getHost() + " " + c.getWindowStartMs() + " " + c.getCause());
      }
    }
    for (Map.Entry<String, RootCause> e : onTime.entrySet()) {
      if (!liveIds.contains(e.getKey())) {
        RootCause c = e.getValue();
        out.add("- " + c.getHost() + " " + c.getWindowStartMs() + " " + c.getCause());
      }
    }
    return out;
  }

  private static boolean inOutage(RootCause r, long base) {
    return inOutage(r.getWindowStartMs(), base);
  }

  private static boolean inOutage(long start, long base) {
    return start >= base + CUT_FROM * INTERVAL_MS && start < base + (CUT_TO - 1) * INTERVAL_MS;
  }

  private static long time(FleetGenerator fleet, long base, int host, int cycle) {
    return base + cycle * INTERVAL_MS + fleet.phaseMs(host);
  }

  private static int firstFaultyHost(FleetGenerator fleet) {
    for (int host = 0; host < HOSTS; host++) {
      if (fleet.fault(host) != null) {
        return host;
      }
    }
    throw new AssertionError("no faulty host in the generated fleet");
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedBroker broker) {
    // (The idempotent default stalled here: a host's protocol samples came a minute behind its
    // other topics and its early windows were judged without them.)
    return OrderedProducer.create(broker.bootstrapServers());
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, List<FleetGenerator.Generated> records) {
    for (FleetGenerator.Generated g : records) {
      producer.send(
          new ProducerRecord<>(g.topic().name(), null, g.sampleTimeMs(), g.key(), g.value()));
    }
  }

  private static String incidentKey(FleetIncident i) {
    return i.getWindowStartMs() + " " + i.getSignature();
  }

  /**
   * Reads the fleet incidents (read committed) of the windows in {@code expected}, keeping the last
   * of each signature and window, until they have equalled {@code expected} with nothing new for
   * two windows, or the deadline.
   */
  private static Map<String, FleetIncident> pollIncidents(
      EmbeddedBroker broker, Map<String, FleetIncident> expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "culprit-host-outage-test-incidents");
    long last =
        expected.values().stream().mapToLong(FleetIncident::getWindowStartMs).max().orElse(0);
    Map<String, FleetIncident> got = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.FLEET_INCIDENTS.name()));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      // Once equal, on until nothing came for longer than the processor's punctuation (a window):
      // a record after that would replace one, and the last one is what counts.
      long quietSince = System.nanoTime();
      while (System.nanoTime() < deadline) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
          FleetIncident i = Topics.FLEET_INCIDENTS.valueSerde().decode(r.value());
          if (i.getWindowStartMs() <= last) {
            got.put(incidentKey(i), i);
          }
        }
        if (!records.isEmpty() || !sameHosts(got, expected)) {
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > 2 * INTERVAL_MS * 1_000_000) {
          break;
        }
      }
    }
    return got;
  }

  private static boolean sameHosts(Map<String, FleetIncident> a, Map<String, FleetIncident> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    return a.entrySet().stream()
        .allMatch(e -> e.getValue().getHosts().equals(b.get(e.getKey()).getHosts()));
  }

  /**
   * Reads the packet-loss causes (read committed) of windows starting before {@code beforeMs} until
   * {@code count} came or the deadline.
   */
  private static Map<String, Record> poll(EmbeddedBroker broker, int count, long beforeMs) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "culprit-host-outage-test-reader");
    Map<String, Record> got = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.ROOTCAUSE_PACKET_LOSS.name()));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (got.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          RootCause cause = Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().decode(r.value());
          if (cause.getWindowStartMs() >= beforeMs) {
            continue;
          }
          Header late = r.headers().lastHeader("culprit-judged-late-ms");
          long lateMs =
              late == null
                  ? 0
                  : Long.parseLong(new String(late.value(), StandardCharsets.US_ASCII));
          Record previous = got.put(cause.getEventId().toString(), new Record(cause, lateMs));
          assertThat(previous).as("a cause emitted twice: %s", cause.getEventId()).isNull();
        }
      }
    }
    return got;
  }
}
