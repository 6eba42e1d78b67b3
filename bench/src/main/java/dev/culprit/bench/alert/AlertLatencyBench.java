package dev.culprit.bench.alert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.culprit.app.alert.RealAlertmanager;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Alert delivery latency: a cause's STARTED transition on {@code culprit.rootcause.transitions} →
 * the alert visible in a real Alertmanager's {@code GET /api/v2/alerts}, through the real {@code
 * culprit alert} command running in its own JVM against a real (embedded) broker.
 *
 * <p>Each of N transitions gets its own host, so it is its own alert; they are produced one at a
 * time, {@code INTERVAL_MS} apart, so each measures one delivery rather than a queue. The start is
 * the record's timestamp as the broker acknowledged it (producer create time, same clock as the
 * poller); the end is when a poll of Alertmanager, every {@value #POLL_MS} ms, first lists the
 * alert. A warm-up alert goes first, so the bridge's consumer has joined and its code is warm.
 *
 * <p>Usage: {@code bench/run AlertLatencyBench [N] [INTERVAL_MS]} (defaults 50 and 200). Needs
 * {@code /usr/bin/prometheus-alertmanager} (Debian's prometheus-alertmanager).
 */
public final class AlertLatencyBench {

  static final long POLL_MS = 10;
  private static final long WINDOW_MS = 10_000;

  private AlertLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    long intervalMs = args.length > 1 ? Long.parseLong(args[1]) : 200;
    if (!Files.isExecutable(RealAlertmanager.BINARY)) {
      System.err.println(
          "AlertLatencyBench: needs " + RealAlertmanager.BINARY + " (prometheus-alertmanager)");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("culprit-alert-bench-");
    Process bridge = null;
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary();
        RealAlertmanager am = RealAlertmanager.silent(Files.createDirectory(dir.resolve("am")));
        KafkaProducer<String, byte[]> producer =
            OrderedProducer.create(
                Map.of("bootstrap.servers", broker.bootstrapServers(), "linger.ms", 0))) {
      bridge = startBridge(dir, broker.bootstrapServers(), am.url());

      // Warm-up: the bridge's consumer joins its group and its code is compiled.
      String run = UUID.randomUUID().toString().substring(0, 8);
      Map<String, Long> warm = new HashMap<>();
      warm.put(
          "culprit-bench-" + run + "-warmup", send(producer, "culprit-bench-" + run + "-warmup"));
      awaitAll(am, warm, Duration.ofSeconds(120), bridge);

      Map<String, Long> sentAt = new HashMap<>();
      Map<String, Long> seenAt = new HashMap<>();
      long next = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        String host = "culprit-bench-" + run + "-" + i;
        sentAt.put(host, send(producer, host));
        next += intervalMs;
        // Poll for what has been sent while waiting for the next send.
        while (System.currentTimeMillis() < next) {
          poll(am, sentAt, seenAt);
          Thread.sleep(POLL_MS);
        }
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (seenAt.size() < sentAt.size() && System.currentTimeMillis() < deadline) {
        poll(am, sentAt, seenAt);
        Thread.sleep(POLL_MS);
      }
      long[] latencies =
          sentAt.entrySet().stream()
              .filter(e -> seenAt.containsKey(e.getKey()))
              .mapToLong(e -> seenAt.get(e.getKey()) - e.getValue())
              .sorted()
              .toArray();
      report(n, intervalMs, latencies);
      if (latencies.length < n) {
        System.err.println((n - latencies.length) + " alerts never appeared within 60 s");
        System.exit(1);
      }
    } finally {
      stop(bridge);
      deleteTree(dir);
    }
  }

  private static void report(int n, long intervalMs, long[] ms) {
    double load = Double.NaN;
    try {
      load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      // not Linux: no load average
    }
    System.out.printf(
        Locale.ROOT,
        "alerts %d/%d, one every %d ms, Alertmanager polled every %d ms, load average %.2f%n",
        ms.length,
        n,
        intervalMs,
        POLL_MS,
        load);
    if (ms.length == 0) {
      return;
    }
    System.out.println("| | p50 | p95 | max | min |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| cause emitted → in Alertmanager (ms) | %d | %d | %d | %d |%n",
        percentile(ms, 50),
        percentile(ms, 95),
        ms[ms.length - 1],
        ms[0]);
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static long send(KafkaProducer<String, byte[]> producer, String host) throws Exception {
    CauseTransition t = transition(host);
    RecordMetadata m =
        producer
            .send(
                new ProducerRecord<>(
                    Topics.ROOTCAUSE_TRANSITIONS.name(),
                    null,
                    System.currentTimeMillis(),
                    host,
                    Topics.ROOTCAUSE_TRANSITIONS.valueSerde().encode(t)))
            .get();
    return m.timestamp();
  }

  /** Marks, with the time of this poll, every sent alert Alertmanager now lists. */
  private static void poll(RealAlertmanager am, Map<String, Long> sent, Map<String, Long> seen)
      throws IOException, InterruptedException {
    if (seen.size() == sent.size()) {
      return;
    }
    JsonNode alerts = am.alerts();
    long now = System.currentTimeMillis();
    for (JsonNode a : alerts) {
      String host = a.path("labels").path("host").asText();
      if (sent.containsKey(host)) {
        seen.putIfAbsent(host, now);
      }
    }
  }

  private static void awaitAll(
      RealAlertmanager am, Map<String, Long> sent, Duration wait, Process bridge) throws Exception {
    Map<String, Long> seen = new HashMap<>();
    long deadline = System.nanoTime() + wait.toNanos();
    while (seen.size() < sent.size()) {
      if (!bridge.isAlive()) {
        throw new IllegalStateException("culprit alert exited with " + bridge.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the warm-up alert did not appear within " + wait);
      }
      poll(am, sent, seen);
      Thread.sleep(100);
    }
  }

  private static CauseTransition transition(String host) {
    long now = System.currentTimeMillis();
    long first = (now / WINDOW_MS - 2) * WINDOW_MS;
    long lastEnd = first + WINDOW_MS;
    RootCause latest =
        RootCause.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setHost(host)
            .setNetns("culprit-web")
            .setWindowStartMs(first)
            .setWindowEndMs(lastEnd)
            .setCause(Cause.FIREWALL_DROP)
            .setLayer(Layer.FIREWALL)
            .setLocation("filter INPUT rule 1")
            .setContainer(null)
            .setConfidence(1.0)
            .setEvidence(new TreeMap<>(Map.of("droppedPackets", 30L, "table", "filter")))
            .setSymptoms(Map.of())
            .setSummary("iptables filter INPUT rule 1 drops 30 % of packets at random")
            .setRemediation("iptables -t filter -D INPUT 1")
            .build();
    return CauseTransition.newBuilder()
        .setTransitionId(UUID.randomUUID().toString())
        .setEpisodeId(host + "-" + first)
        .setState(CauseState.STARTED)
        .setSignature("FIREWALL_DROP filter INPUT -m statistic --mode random -j DROP")
        .setHost(host)
        .setNetns("culprit-web")
        .setContainer(null)
        .setCause(Cause.FIREWALL_DROP)
        .setFirstWindowStartMs(first)
        .setLastWindowEndMs(lastEnd)
        .setDecidedWindowEndMs(lastEnd)
        .setWindowsSeen(1)
        .setDurationMs(lastEnd - first)
        .setTotals(Map.of("droppedPackets", 30L))
        .setLatest(latest)
        .build();
  }

  /** {@code culprit alert}, the command itself, in a JVM of its own with this class path. */
  private static Process startBridge(Path dir, String bootstrap, String alertmanager)
      throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    List<String> cmd =
        new ArrayList<>(
            Arrays.asList(
                java,
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "dev.culprit.app.Main",
                "alert",
                "--alertmanager",
                alertmanager,
                "--bootstrap-servers",
                bootstrap,
                "--data-dir",
                dir.resolve("culprit").toString(),
                "--group",
                "culprit-alert-bench",
                "--metrics-address",
                "none"));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("culprit-alert.log").toFile())
        .start();
  }

  private static void stop(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
