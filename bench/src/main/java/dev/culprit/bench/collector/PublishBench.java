package dev.culprit.bench.collector;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.publish.KafkaPublisher;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The agent's publish path with the built-in Kafka client against the Java client, in the same run
 * (issue 12): records per second through {@link KafkaPublisher} (spool, sender, transport) to an
 * embedded broker, and CPU per record of the publishing threads only — the caller's {@code
 * publish}, the spool sender ({@code culprit-kafka-sender}) and the transport's I/O thread ({@code
 * culprit-kafka-io}, or the Java client's {@code kafka-producer-network-thread}); the broker's
 * threads in the same JVM are not counted.
 *
 * <p>Each cycle is ten protocol samples (one per namespace, this machine's ≈ 300 {@code
 * /proc/net/snmp} and {@code netstat} counters, as the agent sends them), published as the agent
 * does, a cycle per call, as fast as the publisher takes them; the clock stops when {@code flush}
 * says every record is acknowledged. Both transports get the same settings (the agent's defaults);
 * the Java client is chosen by a setting only it reads ({@code client.dns.lookup} at its default
 * value). Alternating transports, median of the rounds.
 *
 * <p>Usage: {@code bench/run PublishBench [RECORDS=30000] [ROUNDS=3]}.
 */
public final class PublishBench {

  private static final int NAMESPACES = 10;

  private PublishBench() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.putAll(BenchRecords.pairs(Path.of("/proc/net/snmp")));
    counters.putAll(BenchRecords.pairs(Path.of("/proc/net/netstat")));
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      // Warm-up: both paths once, small, so the JIT and the broker's log segments are there.
      run(broker, false, 2_000, counters);
      run(broker, true, 2_000, counters);
      for (int r = 1; r <= rounds; r++) {
        for (boolean java : new boolean[] {false, true}) {
          double[] m = run(broker, java, records, counters);
          results.computeIfAbsent(name(java), k -> new ArrayList<>()).add(m);
          System.err.printf(
              Locale.ROOT,
              "round %d %s: %.0f records/s, %.1f µs CPU per record%n",
              r,
              name(java),
              m[0],
              m[1]);
        }
      }
    }
    StringBuilder out =
        new StringBuilder("| client | records/s | CPU µs per record |\n|---|---:|---:|\n");
    for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.1f |%n",
              e.getKey(),
              median(e.getValue(), 0),
              median(e.getValue(), 1)));
    }
    double builtInRate = median(results.get(name(false)), 0);
    double builtInCpu = median(results.get(name(false)), 1);
    out.append(
        String.format(
            Locale.ROOT,
            "%nJava client / built-in: %.2f× the records per second, %.2f× the CPU per record"
                + " (%d records of %d counters, %d rounds)%n",
            median(results.get(name(true)), 0) / builtInRate,
            median(results.get(name(true)), 1) / builtInCpu,
            records,
            counters.size(),
            rounds));
    System.out.print(out);
  }

  private static String name(boolean java) {
    return java ? "Java client (kafka-clients)" : "built-in client";
  }

  private static double median(List<double[]> rounds, int i) {
    List<Double> v = new ArrayList<>();
    rounds.forEach(r -> v.add(r[i]));
    Collections.sort(v);
    return v.get(v.size() / 2);
  }

  /** One run: {records per second, CPU µs per record}. */
  private static double[] run(
      EmbeddedBroker broker, boolean java, int records, Map<String, Long> counters)
      throws Exception {
    Path spool = Files.createTempDirectory("culprit-publish-bench-");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, String> overrides =
        java ? Map.of("client.dns.lookup", "use_all_dns_ips") : Map.of();
    int cycles = records / NAMESPACES;
    long base = System.currentTimeMillis() - cycles * 5_000L;
    try (KafkaPublisher publisher =
        KafkaPublisher.open(
            broker.bootstrapServers(), overrides, "culprit-collector", spool, 4L << 30)) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      for (int c = 0; c < cycles; c++) {
        List<Sample> cycle = new ArrayList<>(NAMESPACES);
        for (int n = 0; n < NAMESPACES; n++) {
          Header h =
              new Header(
                  "bench-host", n == 0 ? "" : "culprit-ns-" + n, base + c * 5_000L, "c-1", "b-1");
          Map<String, Long> mine = new LinkedHashMap<>();
          long grow = c * 7L + n;
          counters.forEach((k, v) -> mine.put(k, v + grow));
          cycle.add(
              new Sample(
                  WireTopics.PROTOCOL,
                  "bench-host",
                  ProtocolSample.newBuilder(h.stamp(new ProtocolSample()))
                      .setCounters(mine)
                      .build()));
        }
        publisher.publish(cycle);
      }
      if (!publisher.flush(Duration.ofMinutes(10))) {
        throw new IllegalStateException("not every record acknowledged within 10 minutes");
      }
      long wallNs = System.nanoTime() - t0;
      long cpuNs = threads.getCurrentThreadCpuTime() - cpu0 + publishingThreadsCpu(threads);
      return new double[] {
        cycles * NAMESPACES / (wallNs / 1e9), cpuNs / 1e3 / (cycles * NAMESPACES)
      };
    } finally {
      try (Stream<Path> files = Files.walk(spool)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** CPU of the live threads that publish (a publisher's threads end when it is closed). */
  private static long publishingThreadsCpu(ThreadMXBean threads) {
    long sum = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      String n = t.getThreadName();
      if (n.startsWith("culprit-kafka-sender")
          || n.startsWith("culprit-kafka-io")
          || n.startsWith("kafka-producer-network-thread")) {
        long cpu = threads.getThreadCpuTime(t.getThreadId());
        sum += Math.max(0, cpu);
      }
    }
    return sum;
  }
}
