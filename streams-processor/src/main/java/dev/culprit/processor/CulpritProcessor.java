package dev.culprit.processor;

import dev.culprit.processor.decode.DeadLetterProcessingHandler;
import dev.culprit.schemas.KafkaSchemaStore;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running processor: the topology of {@link CulpritTopology} in a {@link KafkaStreams}
 * instance. Results are read from the result topics (see {@link ResultFeed}); nothing else is
 * exposed.
 */
public final class CulpritProcessor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CulpritProcessor.class);

  /**
   * The Streams property under which the processor hands its {@link ProcessorMetrics} to the
   * handlers Kafka Streams instantiates itself ({@link DeadLetterProcessingHandler}).
   */
  public static final String METRICS_PROPERTY = "culprit.processor.metrics";

  /** Where the processing exception handler writes dead letters (a replay's own topic). */
  public static final String DEAD_LETTER_TOPIC_PROPERTY = "culprit.processor.deadletter.topic";

  private final ProcessorConfig config;
  private final ProcessorMetrics metrics;
  private final KafkaStreams streams;

  /** Closed with the processor; null when the topology came from a test. */
  private final KafkaSchemaStore schemas;

  private final CountDownLatch running = new CountDownLatch(1);
  private final AtomicReference<Throwable> failureCause = new AtomicReference<>();
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

  /**
   * The processor of {@code config}: samples written with schemas newer than this build (a
   * collector upgraded first) are decoded with their schemas from {@code culprit.schemas}.
   */
  public CulpritProcessor(ProcessorConfig config) {
    this(
        config,
        new ProcessorMetrics(),
        new KafkaSchemaStore(KafkaSchemaStore.clientProperties(properties(config))));
  }

  private CulpritProcessor(
      ProcessorConfig config, ProcessorMetrics metrics, KafkaSchemaStore schemas) {
    this(
        config,
        CulpritTopology.build(config, metrics, schemas),
        new ThreadDeaths(ThreadDeaths.DEFAULT_MAX_DEATHS, ThreadDeaths.DEFAULT_WINDOW),
        metrics,
        schemas);
  }

  /** For tests: any topology, with its own limit of thread deaths. */
  CulpritProcessor(ProcessorConfig config, Topology topology, ThreadDeaths deaths) {
    this(config, topology, deaths, new ProcessorMetrics(), null);
  }

  private CulpritProcessor(
      ProcessorConfig config,
      Topology topology,
      ThreadDeaths deaths,
      ProcessorMetrics metrics,
      KafkaSchemaStore schemas) {
    this.config = config;
    this.metrics = metrics;
    this.schemas = schemas;
    Properties props = properties(config);
    props.put(METRICS_PROPERTY, metrics);
    this.streams = new KafkaStreams(topology, props);
    streams.setStateListener(
        (now, before) -> {
          LOG.info("processor {}: {} -> {}", config.applicationId(), before, now);
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
          if (now == KafkaStreams.State.ERROR) {
            failure.complete(
                failureCause.get() != null
                    ? failureCause.get()
                    : new IllegalStateException("Kafka Streams stopped in state ERROR"));
          }
        });
    streams.setUncaughtExceptionHandler(e -> onThreadDeath(e, deaths));
  }

  // With exactly-once the failed task's transaction is aborted and replayed by the new thread.
  // Record-level failures never get here (dead letters, skipped results); what does is the
  // environment (broker unreachable too long, state directory), which a retry may fix — or a bug
  // that fails on the same record every time, which a retry never fixes.
  private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadDeath(
      Throwable e, ThreadDeaths deaths) {
    String stop = null;
    if (deaths.tooMany(System.nanoTime())) {
      stop =
          "a stream thread died "
              + deaths.maxDeaths()
              + " times within "
              + deaths.window()
              + ", so it would fail again on the same input: the processor stops instead of"
              + " looping";
    }
    if (stop == null) {
      LOG.error("stream thread of {} died; replacing it", config.applicationId(), e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    LOG.error("processor {} stops: {}; last error:", config.applicationId(), stop, e);
    failureCause.compareAndSet(null, new ProcessorFailedException(stop, e));
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** The Kafka Streams properties of this configuration. */
  public static Properties properties(ProcessorConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    // A crash or rebalance must neither repeat a cause nor lose one: transactions tie the output
    // to the consumed offsets and the state changelogs.
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Every store and internal topic has a chosen name (pinned by a test), so a new operator can
    // never silently rename the state of a running deployment on upgrade.
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // A processor that throws (a bug meeting unexpected data) dead-letters the record and goes
    // on, instead of the replaced thread failing on the same record forever.
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    // There are no global stores; enabling the handler there too only silences a warning.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // A result that can never be written is skipped and logged, not a task failing on it forever.
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        ProductionErrorHandler.class.getName());
    // Every exactly-once commit flushes all changelogs and ends a transaction; at the 100 ms
    // default that dominated the cost (measured 6-9k vs 15k samples/s on 2 cores). One second
    // adds at most a second to when a cause becomes readable (p99 13.2 s of the 14 s goal).
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    // Host windows close by each host's own progress and need no read order across topics, so a
    // task does not idle for partitions behind the others (Kafka Streams' default, 0: wait only
    // until their lag is known). At 1 s — when windows closed by the task's stream time — it cost
    // the 10,000-host benchmark 2.5x its wall-clock time: the repartition topics the topology
    // feeds itself are nearly always behind (EmbeddedBenchMain, BENCHMARKS.md).
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
    // One bounded off-heap budget for all RocksDB stores instead of 50 MB + memtables per task.
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    // Host windows are updated several times per cycle (one per source and namespace); a larger
    // cache folds those updates before they reach the changelog.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
    p.put(DEAD_LETTER_TOPIC_PROPERTY, config.resultTopic(Topics.DEAD_LETTER));
    config.streamsOverrides().forEach(p::put);
    return p;
  }

  /** Starts processing in the background. */
  public void start() {
    LOG.info(
        "starting processor {} against {} (window {}, grace {})",
        config.applicationId(),
        config.bootstrapServers(),
        config.windowSize(),
        config.grace());
    streams.start();
  }

  /** Waits until the processor runs (all tasks assigned and restored); false on timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Completes with the error when the processor stopped by itself (a crash loop, a full buffer):
   * commands wait on it beside their stop signal and exit non-zero.
   */
  public CompletableFuture<Throwable> failure() {
    return failure;
  }

  /** Kafka Streams' own metrics (threads, tasks, stores, its clients), live. */
  public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
      metrics() {
    return streams.metrics();
  }

  /** culprit's own counts: records in, late, dead-lettered, causes emitted, window close lag. */
  public ProcessorMetrics culpritMetrics() {
    return metrics;
  }

  /**
   * The running Kafka Streams, for interactive queries of its stores (the live page): read-only use
   * only.
   */
  public KafkaStreams kafkaStreams() {
    return streams;
  }

  /** The Kafka Streams state, for health checks. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Stops processing, committing what was done; waits up to {@code timeout}. */
  public boolean close(Duration timeout) {
    boolean closed = streams.close(timeout);
    if (schemas != null) {
      schemas.close();
    }
    return closed;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
