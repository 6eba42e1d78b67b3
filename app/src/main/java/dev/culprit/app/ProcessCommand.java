package dev.culprit.app;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code culprit process}: only the Kafka Streams processor. */
@Command(
    name = "process",
    mixinStandardHelpOptions = true,
    description = {
      "Runs only the processor: reads every sample topic, turns counters into per-window deltas,"
          + " applies the root-cause rules and publishes culprit.rootcause.packet-loss,"
          + " culprit.rootcause.oom, culprit.incidents.fleet and the causes' lifecycles on"
          + " culprit.rootcause.transitions (exactly-once).",
      "Run several with the same --application-id to share the work."
    })
final class ProcessCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessCommand.class);

  @Mixin ProcessorOptions processor;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka to read and write (default: the broker of a running `culprit up`/`broker`"
              + " on --data-dir, else 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory (state stores default: DATA_DIR/streams).")
  Path dataDir;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9465",
      description =
          "Serve the processor's metrics (culprit_processor_*: records in, late, dead-lettered,"
              + " causes emitted, window close lag) and Kafka Streams' own for Prometheus at"
              + " http://HOST:PORT/metrics; 'none' to turn it off (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Mixin HttpAddressOption http;

  @Override
  public Integer call() throws Exception {
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    if (processor.stateDir == null) {
      DataDir.ensureOwned(dir); // the state stores are written there, as root
    }
    KafkaAccess kafka = kafkaConfig.resolve(bootstrapServers, dir);
    org.apache.kafka.streams.state.HostInfo self = http.parse();
    ProcessorConfig config = LiveAddress.announce(processor.config(kafka, dir), self);
    LoginCheck.verify(kafka);
    try (CulpritProcessor p = new CulpritProcessor(config);
        var live = LiveAddress.serve(self, p, config);
        var server =
            MetricsAddress.serve(
                metricsAddress,
                () ->
                    dev.culprit.app.metrics.ProcessorMetricsText.render(
                        p.culpritMetrics(), p.metrics()))) {
      p.start();
      System.err.println(
          "culprit process: "
              + config.applicationId()
              + " reading samples from "
              + config.bootstrapServers()
              + " (window "
              + config.windowSize()
              + ", grace "
              + config.grace()
              + ")"
              + (live == null ? "" : "; live page at http://" + http.address + "/"));
      Thread watch =
          new Thread(() -> reportWhenNotRunning(p, kafka), "culprit-process-start-watch");
      watch.setDaemon(true);
      watch.start();
      Shutdown.awaitSignalOr(p.failure());
      if (p.failure().isDone()) {
        // Stopped by itself (crash loop, full buffer): the reason was logged; exit non-zero.
        throw new UserException("processor stopped: " + p.failure().join().getMessage());
      }
    }
    return 0;
  }

  /** How long the processor may take to reach RUNNING before the user is told why it has not. */
  static final Duration START_WARNING_AFTER = Duration.ofSeconds(30);

  /**
   * Kafka Streams waits silently for an unreachable broker (its client logs are kept to errors):
   * say once what is wrong, and again when it runs after all.
   */
  private static void reportWhenNotRunning(CulpritProcessor p, KafkaAccess kafka) {
    try {
      if (p.awaitRunning(START_WARNING_AFTER)) {
        return;
      }
      String why;
      Properties props = kafka.clientProperties();
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
      try (Admin admin = Admin.create(props)) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        why =
            switch (p.state()) {
              case ERROR, PENDING_ERROR, NOT_RUNNING, PENDING_SHUTDOWN ->
                  "the broker answers, but the processor stopped ("
                      + p.state()
                      + "): see the errors above";
              default ->
                  "the broker answers, but the processor is still "
                      + p.state()
                      + " (restoring state after a restart, or the sample topics are missing:"
                      + " `culprit up` or `culprit broker` creates them)";
            };
      } catch (ExecutionException | TimeoutException e) {
        why =
            e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException a
                ? "the broker at "
                    + kafka.bootstrapServers()
                    + " refused the login: "
                    + a.getMessage()
                : "no Kafka broker answered at " + kafka.bootstrapServers();
      }
      LOG.warn(
          "processor not running after {}s: {}; still trying (check --bootstrap-servers)",
          START_WARNING_AFTER.toSeconds(),
          why);
      p.awaitRunning(Duration.ofDays(365));
      LOG.info("processor running");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("cannot check the broker: {}", e.toString());
    }
  }
}
