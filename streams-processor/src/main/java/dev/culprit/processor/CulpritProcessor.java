package dev.culprit.processor;

import dev.culprit.processor.decode.DeadLetterProcessingHandler;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
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

  private final ProcessorConfig config;
  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);

  public CulpritProcessor(ProcessorConfig config) {
    this.config = config;
    this.streams = new KafkaStreams(CulpritTopology.build(config), properties(config));
    streams.setStateListener(
        (now, before) -> {
          LOG.info("processor {}: {} -> {}", config.applicationId(), before, now);
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          // With exactly-once the failed task's transaction is aborted and replayed by the new
          // thread. Record-level failures never get here (dead letters); what does is the
          // environment (broker unreachable too long, state directory), which a retry may fix.
          LOG.error("stream thread of {} died; replacing it", config.applicationId(), e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
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
    // Every exactly-once commit flushes all changelogs and ends a transaction; at the 100 ms
    // default that dominated the cost (measured 6-9k vs 15k samples/s on 2 cores). One second
    // adds at most a second to when a cause becomes readable (p99 13.2 s of the 14 s goal).
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    // One bounded off-heap budget for all RocksDB stores instead of 50 MB + memtables per task.
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    // Window aggregates of many hosts are updated several times per cycle (one per source and
    // namespace); a larger cache folds those updates before they reach the changelog.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
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

  /** Kafka Streams' own metrics (threads, tasks, stores, its clients), live. */
  public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
      metrics() {
    return streams.metrics();
  }

  /** The Kafka Streams state, for health checks. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Stops processing, committing what was done; waits up to {@code timeout}. */
  public boolean close(Duration timeout) {
    return streams.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
