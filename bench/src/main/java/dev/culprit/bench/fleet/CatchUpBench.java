package dev.culprit.bench.fleet;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A host catching up after a five-minute outage (issue 13): the time from its collector's reconnect
 * (its spool of 33 cycles sent at once) to the causes of every window of the outage, and to the
 * fleet incidents of those windows counting it — against, in the same round, the time from one
 * on-time cycle of the fleet to the causes of the window it closes.
 *
 * <p>Each round has its own embedded broker and processor (in this JVM; what is measured is
 * latency, not CPU). The fleet generator's hosts sample every 10 s; the samples are stamped so the
 * fleet's newest cycle is now. Before the reconnect the rest of the fleet is five minutes past the
 * outage, and the processor has worked through it. The collector's own spool drain rate is not in
 * it: the spool is produced at once, as a collector whose sender finds the broker again does with
 * what fits in its requests.
 *
 * <p>Usage: {@code bench/run CatchUpBench [HOSTS] [ROUNDS]} (defaults 200 and 5).
 */
public final class CatchUpBench {

  private static final long INTERVAL_MS = 10_000;
  private static final int CUT_FROM = 5;
  private static final int CYCLES = 36; // the fleet's cycles before the reconnect
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  private CatchUpBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<long[]> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      long[] r = round(hosts);
      results.add(r);
      System.err.printf(
          Locale.ROOT,
          "round %d: on-time window %d ms; catch-up: every outage cause %d ms, fleet incidents"
              + " of the windows closed before counting the host %d ms, of all %d ms%n",
          round,
          r[0],
          r[1],
          r[2],
          r[3]);
    }
    System.out.println(
        "| measure | median ms | max ms |\n|---|---:|---:|\n"
            + row("one on-time cycle → the causes of the window it closes", results, 0)
            + row("reconnect → the causes of all 31 outage windows", results, 1)
            + row(
                "reconnect → the fleet incidents of the 29 outage windows closed before it count"
                    + " the host (updates)",
                results,
                2)
            + row(
                "reconnect → those of all 31 (the last two close a window of quiet later)",
                results,
                3));
    long onTime = median(results, 0);
    System.out.printf(
        Locale.ROOT,
        "catch-up / on-time: causes %.2f×, fleet incident updates %.2f×, all fleet incidents %.2f×"
            + " (%d hosts, %d rounds)%n",
        median(results, 1) / (double) onTime,
        median(results, 2) / (double) onTime,
        median(results, 3) / (double) onTime,
        hosts,
        rounds);
  }

  private static String row(String what, List<long[]> results, int i) {
    long max = results.stream().mapToLong(r -> r[i]).max().orElse(0);
    return "| " + what + " | " + median(results, i) + " | " + max + " |\n";
  }

  private static long median(List<long[]> results, int i) {
    List<Long> v = new ArrayList<>();
    results.forEach(r -> v.add(r[i]));
    Collections.sort(v);
    return v.get(v.size() / 2);
  }

  /**
   * One round: {on-time latency, catch-up to causes, to the updates of the fleet windows closed
   * before, to every outage window's fleet incident}, ms.
   */
  private static long[] round(int hosts) throws Exception {
    FleetGenerator fleet =
        new FleetGenerator(
            new FleetGenerator.Options(hosts, 2, Duration.ofMillis(INTERVAL_MS), 0.3));
    int cut = -1;
    for (int h = 0; h < hosts && cut < 0; h++) {
      cut = fleet.fault(h) != null ? h : -1;
    }
    String cutHost = FleetGenerator.hostName(cut);
    // The on-time cycle (CYCLES) and the one after it end now.
    long base =
        (System.currentTimeMillis() - (CYCLES + 2) * INTERVAL_MS) / INTERVAL_MS * INTERVAL_MS;
    Path state = Files.createTempDirectory("culprit-catch-up-bench-");
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      ProcessorConfig config =
          ProcessorConfig.defaults(broker.bootstrapServers())
              .withApplicationId("culprit-catch-up-bench")
              .withStateDir(state);
      try (CulpritProcessor processor = new CulpritProcessor(config);
          KafkaProducer<String, byte[]> producer = producer(broker);
          KafkaConsumer<String, byte[]> causes = consumer(broker, "causes");
          KafkaConsumer<String, byte[]> incidents = consumer(broker, "incidents")) {
        processor.start();
        if (!processor.awaitRunning(Duration.ofSeconds(60))) {
          throw new IllegalStateException("the processor did not start within 60 s");
        }
        causes.subscribe(List.of(Topics.ROOTCAUSE_PACKET_LOSS.name()));
        incidents.subscribe(List.of(Topics.FLEET_INCIDENTS.name()));
        List<FleetGenerator.Generated> spool = new ArrayList<>();
        for (int c = 0; c < CYCLES; c++) {
          for (int h = 0; h < hosts; h++) {
            List<FleetGenerator.Generated> cycle = fleet.hostCycle(h, c, time(fleet, base, h, c));
            if (h == cut && c >= CUT_FROM) {
              spool.addAll(cycle);
            } else {
              send(producer, cycle);
            }
          }
        }
        producer.flush();
        // The processor has worked through the fleet's history when its last closable window's
        // causes are out.
        long lastClosable = base + (CYCLES - 3) * INTERVAL_MS;
        await(causes, c -> c.getWindowStartMs() >= lastClosable && !c.getHost().equals(cutHost));

        // Baseline: two on-time cycles of the fleet close the window before them.
        long sent = System.nanoTime();
        for (int c = CYCLES; c < CYCLES + 2; c++) {
          for (int h = 0; h < hosts; h++) {
            List<FleetGenerator.Generated> cycle = fleet.hostCycle(h, c, time(fleet, base, h, c));
            if (h == cut) {
              spool.addAll(cycle);
            } else {
              send(producer, cycle);
            }
          }
        }
        producer.flush();
        long window = base + (CYCLES - 1) * INTERVAL_MS;
        long onTime =
            await(causes, c -> c.getWindowStartMs() == window && !c.getHost().equals(cutHost))
                - sent;

        // The incident reader has joined its group before the clock starts (no outage window can
        // count the host yet).
        while (incidents.assignment().isEmpty()) {
          incidents.poll(Duration.ofMillis(100));
        }

        // The reconnect: the cut host's spool at once.
        long reconnect = System.nanoTime();
        send(producer, spool);
        producer.flush();
        Set<Long> outage = new HashSet<>();
        for (int c = CUT_FROM; c < CYCLES; c++) {
          outage.add(base + c * INTERVAL_MS);
        }
        Set<Long> judged = new HashSet<>();
        long causesAt =
            await(
                causes,
                c -> {
                  if (c.getHost().equals(cutHost)) {
                    judged.add(c.getWindowStartMs());
                  }
                  return judged.containsAll(outage);
                });
        Set<Long> counted = new HashSet<>();
        // Closed by stream time before the reconnect: their end plus a window and grace had passed.
        Set<Long> closedBefore = new HashSet<>();
        for (long w : outage) {
          if (w <= base + (CYCLES - 3) * INTERVAL_MS) {
            closedBefore.add(w);
          }
        }
        long[] updatesAt = {0};
        Set<String> cutSignatures = new java.util.TreeSet<>();
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        long incidentsAt =
            awaitIncidents(
                incidents,
                i -> {
                  seen.put(i.getWindowStartMs() + " " + i.getSignature(), i.getHostCount());
                  if (i.getHosts().contains(cutHost)) {
                    counted.add(i.getWindowStartMs());
                    cutSignatures.add(i.getSignature());
                  }
                  if (updatesAt[0] == 0 && counted.containsAll(closedBefore)) {
                    updatesAt[0] = System.nanoTime();
                  }
                  return counted.containsAll(outage);
                },
                () ->
                    "windows counting "
                        + cutHost
                        + ": "
                        + new java.util.TreeSet<>(counted)
                        + " of "
                        + new java.util.TreeSet<>(outage)
                        + ", its signatures "
                        + cutSignatures
                        + "; late "
                        + processor.culpritMetrics().late()
                        + "; incidents "
                        + seen);
        return new long[] {
          onTime / 1_000_000,
          (causesAt - reconnect) / 1_000_000,
          (updatesAt[0] - reconnect) / 1_000_000,
          (incidentsAt - reconnect) / 1_000_000
        };
      }
    } finally {
      try (var files = Files.walk(state)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long await(KafkaConsumer<String, byte[]> consumer, Predicate<RootCause> done) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
        if (done.test(Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().decode(r.value()))) {
          return System.nanoTime();
        }
      }
    }
    throw new IllegalStateException("no such cause within " + DEADLINE);
  }

  private static long awaitIncidents(
      KafkaConsumer<String, byte[]> consumer,
      Predicate<FleetIncident> done,
      java.util.function.Supplier<String> state) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
        if (done.test(Topics.FLEET_INCIDENTS.valueSerde().decode(r.value()))) {
          return System.nanoTime();
        }
      }
    }
    throw new IllegalStateException(
        "the fleet incidents never counted the host within " + DEADLINE + ": " + state.get());
  }

  private static long time(FleetGenerator fleet, long base, int host, int cycle) {
    return base + cycle * INTERVAL_MS + fleet.phaseMs(host);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedBroker broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return OrderedProducer.create(p);
  }

  private static KafkaConsumer<String, byte[]> consumer(EmbeddedBroker broker, String name) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "culprit-catch-up-bench-" + name);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, List<FleetGenerator.Generated> records) {
    for (FleetGenerator.Generated g : records) {
      producer.send(
          new ProducerRecord<>(g.topic().name(), null, g.sampleTimeMs(), g.key(), g.value()));
    }
  }
}
