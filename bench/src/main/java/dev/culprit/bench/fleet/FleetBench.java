package dev.culprit.bench.fleet;

import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor benchmark, against a running broker:
 *
 * <ol>
 *   <li><b>Throughput</b>: a synthetic fleet's cycles are produced first, then read by a
 *       pass-through topology (decode, encode, produce, same serdes and settings) and by the full
 *       topology, each in its own JVM; the full topology's sustained rate is reported as a ratio to
 *       the pass-through's, both measured in this run on this machine.
 *   <li><b>Real time</b>: the fleet samples at its interval, each host at its own phase, while the
 *       full topology runs; event latency is the time from a faulty host's sample to its cause
 *       being readable (committed) on the result topic, and lag shows whether it keeps up.
 * </ol>
 *
 * Processor memory is the child JVM's resident set (peak).
 */
public final class FleetBench {

  private static final Logger LOG = LoggerFactory.getLogger(FleetBench.class);
  private static final Duration PHASE_DEADLINE = Duration.ofMinutes(15);

  /** The topics the fleet publishes to: the network samples and the probe rounds. */
  static final List<Topic<?>> INPUT_TOPICS =
      java.util.stream.Stream.concat(
              SampleKinds.network().stream().map(SampleKind::topic),
              java.util.stream.Stream.of(Topics.PROBE))
          .toList();

  private static final List<String> INPUTS = INPUT_TOPICS.stream().map(Topic::name).toList();

  /**
   * @param fleet what the fleet looks like
   * @param preloadCycles cycles produced before the throughput phase
   * @param realtime how long the real-time phase runs (zero: skip it)
   * @param workDir state directories and child logs
   * @param heap the child JVMs' -Xmx
   * @param streamsOverrides Kafka Streams overrides for both topologies ("k=v,k=v", may be empty)
   * @param rounds how many times each topology reads the preloaded fleet, alternating
   */
  public record Options(
      FleetGenerator.Options fleet,
      int preloadCycles,
      Duration realtime,
      Path workDir,
      String heap,
      String streamsOverrides,
      int rounds) {

    /** Where processor group {@code appId} keeps its state. */
    Path stateDir(String appId) {
      return workDir.resolve(appId);
    }

    /** Where the child JVM of processor group {@code appId} writes its output. */
    Path logFile(String appId) {
      return workDir.resolve(appId + ".log");
    }
  }

  private FleetBench() {}

  /** Runs both phases against {@code bootstrap} and returns the report (Markdown). */
  public static BenchReport run(String bootstrap, Options options) throws Exception {
    FleetGenerator fleet = new FleetGenerator(options.fleet());
    BenchReport report = new BenchReport(options, fleet.faultyHosts());
    String runId = Long.toString(System.currentTimeMillis(), 36);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      createSinkTopic(admin);
      Offsets offsets = new Offsets(admin, INPUTS);
      long before = offsets.end();
      long interval = options.fleet().interval().toMillis();
      long base = (System.currentTimeMillis() / interval - options.preloadCycles() - 6) * interval;
      long produceStart = System.nanoTime();
      for (int c = 0; c < options.preloadCycles(); c++) {
        produceCycle(fleet, producer, c, base + c * interval, null);
      }
      producer.flush();
      long produced = offsets.end() - before;
      report.preloaded(produced, (System.nanoTime() - produceStart) / 1e9);
      LOG.info("preloaded {} records", produced);

      // Alternate the two topologies: on a shared machine the load of other processes drifts,
      // and alternating lets both see the same drift; the report takes the median ratio.
      for (int round = 1; round <= options.rounds(); round++) {
        String suffix = runId + "-" + round;
        report.round(
            measureThroughput("passthrough", bootstrap, offsets, "bench-pass-" + suffix, options),
            measureThroughput("full", bootstrap, offsets, "bench-full-" + suffix, options));
      }
      if (!options.realtime().isZero()) {
        report.realtime(
            RealtimePhase.run(
                fleet, producer, bootstrap, offsets, "bench-rt-" + runId, options, report));
      }
    }
    return report;
  }

  /**
   * Produces {@code cycles} cycles of {@code fleet}, one {@code interval} apart, the last ending a
   * minute before now (the range a postmortem replays); returns the first cycle's start, ms.
   */
  static long produceRange(FleetGenerator fleet, String bootstrap, int cycles, Duration interval) {
    long step = interval.toMillis();
    long base = (System.currentTimeMillis() / step - cycles - 6) * step;
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      for (int c = 0; c < cycles; c++) {
        produceCycle(fleet, producer, c, base + c * step, null);
      }
      producer.flush();
    }
    return base;
  }

  /** Produces one cycle of every host, in sample-time order, at {@code cycleStartMs}. */
  static void produceCycle(
      FleetGenerator fleet,
      KafkaProducer<String, byte[]> producer,
      long cycle,
      long cycleStartMs,
      Map<String, Long> sampleTimes) {
    for (int host : hostsByPhase(fleet)) {
      long time = cycleStartMs + fleet.phaseMs(host);
      send(fleet, producer, host, cycle, time, sampleTimes);
    }
  }

  static void send(
      FleetGenerator fleet,
      KafkaProducer<String, byte[]> producer,
      int host,
      long cycle,
      long sampleTimeMs,
      Map<String, Long> sampleTimes) {
    for (FleetGenerator.Generated g : fleet.hostCycle(host, cycle, sampleTimeMs)) {
      producer.send(new ProducerRecord<>(g.topic().name(), null, sampleTimeMs, g.key(), g.value()));
    }
    if (sampleTimes != null) {
      long window = fleet.options().interval().toMillis();
      sampleTimes.put(
          FleetGenerator.hostName(host) + "@" + (sampleTimeMs - sampleTimeMs % window),
          sampleTimeMs);
    }
  }

  static int[] hostsByPhase(FleetGenerator fleet) {
    return IntStream.range(0, fleet.options().hosts())
        .boxed()
        .sorted(Comparator.comparingLong(fleet::phaseMs))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static BenchReport.Throughput measureThroughput(
      String mode, String bootstrap, Offsets offsets, String appId, Options options)
      throws Exception {
    long target = offsets.end();
    Path state = options.stateDir(appId);
    Path log = options.logFile(appId);
    LOG.info("{}: reading {} records (log {})", mode, target, log);
    try (ChildProcessor child = ChildProcessor.start(mode, bootstrap, appId, options)) {
      long deadline = System.nanoTime() + PHASE_DEADLINE.toNanos();
      long firstNanos = 0;
      long firstCommitted = 0;
      long committed = 0;
      double childCpuAtFirst = 0;
      double brokerCpuAtFirst = 0;
      while (committed < target && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(200); // A polling interval of the measurement, not a synchronisation.
        child.sampleRssKb();
        committed = offsets.committed(appId);
        if (firstNanos == 0 && committed >= target / 20) {
          firstNanos = System.nanoTime();
          firstCommitted = committed;
          childCpuAtFirst = CpuTime.seconds(child.pid());
          brokerCpuAtFirst = CpuTime.self();
        }
      }
      if (committed < target) {
        throw new IllegalStateException(
            mode + " did not catch up: " + committed + " of " + target + " (see " + log + ")");
      }
      double seconds = (System.nanoTime() - firstNanos) / 1e9;
      double childCpu = CpuTime.seconds(child.pid()) - childCpuAtFirst;
      double brokerCpu = CpuTime.self() - brokerCpuAtFirst;
      long records = committed - firstCommitted;
      return new BenchReport.Throughput(
          mode,
          records,
          seconds,
          records / Math.max(seconds, 1e-3),
          childCpu,
          brokerCpu,
          child.peakRssKb());
    } finally {
      deleteRecursively(state);
    }
  }

  private static void createSinkTopic(Admin admin) throws Exception {
    Set<String> existing = admin.listTopics().names().get();
    if (!existing.contains(PassThroughTopology.SINK_TOPIC)) {
      int partitions =
          admin
              .describeTopics(List.of(Topics.INTERFACE.name()))
              .allTopicNames()
              .get()
              .get(Topics.INTERFACE.name())
              .partitions()
              .size();
      admin
          .createTopics(
              List.of(new NewTopic(PassThroughTopology.SINK_TOPIC, partitions, (short) 1)))
          .all()
          .get();
    }
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A collector fleet's many small records, batched as a real publisher would.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String format(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
