package dev.culprit.processor;

import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The full topology of {@link CulpritTopology#build} in a {@link TopologyTestDriver}: pipes samples
 * (or raw bytes) into the sample topics and reads the result and dead-letter topics.
 * TopologyTestDriver runs every topic as one partition, so stream time is shared by all inputs.
 */
public final class TopologyHarness implements AutoCloseable {

  /** A host that only ticks the clock: its first samples never give deltas or causes. */
  public static final String CLOCK_HOST = "clock";

  private final Path stateDir;
  private final TopologyTestDriver driver;
  private final ProcessorMetrics metrics = new ProcessorMetrics();
  private final TestOutputTopic<String, RootCause> causes;
  private final TestOutputTopic<String, DeadLetter> deadLetters;
  private final TestOutputTopic<String, FleetIncident> incidents;
  private final TestOutputTopic<String, CauseTransition> transitions;
  private final SampleFactory clock = new SampleFactory(CLOCK_HOST, 0);

  public TopologyHarness() {
    this(ProcessorConfig.defaults("ttd:9092"));
  }

  /**
   * A harness whose host windows close by each host's own time only, with {@code config}'s host
   * silence: for tests of whose time closes a window, which cannot end a host's samples with the
   * clock host.
   */
  public static TopologyHarness hostTime(ProcessorConfig config) {
    TopologyHarness h = new TopologyHarness(config, true);
    // A processor that has been running a while: a task judges no host's first window in its
    // first window and grace of wall clock.
    h.driver.advanceWallClockTime(config.windowSize().plus(config.grace()));
    return h;
  }

  /** {@link #hostTime}, its tasks just started: their wall clock has not moved since. */
  public static TopologyHarness hostTimeJustStarted(ProcessorConfig config) {
    return new TopologyHarness(config, true);
  }

  public TopologyHarness(ProcessorConfig config) {
    this(config, false);
  }

  private TopologyHarness(ProcessorConfig config, boolean hostTime) {
    try {
      stateDir = Files.createTempDirectory("culprit-ttd-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessorConfig local = config.withStateDir(stateDir);
    if (!hostTime) {
      // Tests end a host's samples by moving time on with the clock host (advanceTo): its windows
      // close once stream time passes their end plus grace, as if its silence had lasted.
      local = local.withHostSilence(java.time.Duration.ZERO);
    }
    Properties props = CulpritProcessor.properties(local);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    // The driver is fed in order and its clock stands still: a task idling for an empty topic
    // would wait forever.
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
    props.put(CulpritProcessor.METRICS_PROPERTY, metrics);
    driver = new TopologyTestDriver(CulpritTopology.build(local, metrics, null), props);
    causes =
        driver.createOutputTopic(
            Topics.ROOTCAUSE_PACKET_LOSS.name(),
            Topics.ROOTCAUSE_PACKET_LOSS.keySerde().deserializer(),
            Topics.ROOTCAUSE_PACKET_LOSS.valueSerde().deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTER.name(),
            Topics.DEAD_LETTER.keySerde().deserializer(),
            Topics.DEAD_LETTER.valueSerde().deserializer());
    incidents =
        driver.createOutputTopic(
            Topics.FLEET_INCIDENTS.name(),
            Topics.FLEET_INCIDENTS.keySerde().deserializer(),
            Topics.FLEET_INCIDENTS.valueSerde().deserializer());
    transitions =
        driver.createOutputTopic(
            Topics.ROOTCAUSE_TRANSITIONS.name(),
            Topics.ROOTCAUSE_TRANSITIONS.keySerde().deserializer(),
            Topics.ROOTCAUSE_TRANSITIONS.valueSerde().deserializer());
  }

  /** Pipes samples to their topics, keyed by host, timestamped by the producer's clock. */
  public TopologyHarness pipe(SpecificRecord... samples) {
    for (SpecificRecord sample : samples) {
      Topic<?> topic =
          Topics.samples().stream()
              .filter(t -> t.valueType().isInstance(sample))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("not a sample: " + sample));
      pipeRaw(topic, (String) sample.get(0), encode(topic, sample));
    }
    return this;
  }

  /** Pipes raw bytes to a topic, as a producer that does not use our serdes would. */
  public TopologyHarness pipeRaw(Topic<?> topic, String key, byte[] value) {
    TestInputTopic<String, byte[]> input =
        driver.createInputTopic(
            topic.name(),
            new StringSerializer(),
            new ByteArraySerializer(),
            Instant.ofEpochMilli(0),
            java.time.Duration.ZERO);
    input.pipeInput(key, value);
    return this;
  }

  /**
   * Advances stream time to {@code timeMs} with a sample of the clock host, closing every window
   * that ends at least a grace period earlier.
   */
  public TopologyHarness advanceTo(long timeMs) {
    clock.at(timeMs);
    return pipe(clock.protocol("", Map.of()));
  }

  public List<RootCause> causes() {
    return causes.readValuesToList();
  }

  /** The causes with their record metadata (timestamps, headers). */
  public List<org.apache.kafka.streams.test.TestRecord<String, RootCause>> causeRecords() {
    return causes.readRecordsToList();
  }

  public List<DeadLetter> deadLetters() {
    return deadLetters.readValuesToList();
  }

  public List<FleetIncident> incidents() {
    return incidents.readValuesToList();
  }

  public List<CauseTransition> transitions() {
    return transitions.readValuesToList();
  }

  /** Records the task dropped (late beyond grace, among others), per the Streams metric. */
  public double droppedRecords() {
    return metric("dropped-records-total");
  }

  /** A task-level metric summed over tasks. */
  public double metric(String name) {
    return metric("stream-task-metrics", name);
  }

  /** A metric of that group summed over its tags (tasks, threads, entities). */
  public double metric(String group, String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
      if (e.getKey().name().equals(name) && e.getKey().group().equals(group)) {
        total += ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return total;
  }

  /** culprit's own counts of this topology, as {@code culprit process} serves them. */
  public ProcessorMetrics metrics() {
    return metrics;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.close();
    } finally {
      try (Stream<Path> paths = Files.walk(stateDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> byte[] encode(Topic<V> topic, SpecificRecord sample) {
    return topic.valueSerde().encode((V) sample);
  }
}
