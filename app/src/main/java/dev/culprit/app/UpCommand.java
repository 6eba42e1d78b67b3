package dev.culprit.app;

import dev.culprit.app.metrics.ProcessorMetricsText;
import dev.culprit.broker.ContractTopics;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.TopicSettings;
import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.runtime.AgentMetrics;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code culprit up}: the main job on one machine — broker (embedded unless given), collector,
 * processor, and the root causes printed as they happen.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "The main job on one machine: starts an embedded single-node Kafka broker (unless"
          + " --bootstrap-servers), the collector for this host and every network namespace and"
          + " container on it, and the processor; prints root-cause events as they happen.",
      "Events go to stdout (one line each, or JSON lines with --json); logs go to stderr.",
      "Stop with Ctrl-C or SIGTERM: everything shuts down cleanly and the broker keeps its data."
    })
final class UpCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

  @Mixin CollectorOptions collector;
  @Mixin ProcessorOptions processor;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Use this Kafka cluster instead of starting the embedded broker.")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "State directory: broker data, processor state, spool (default:"
              + " $CULPRIT_DATA_DIR, $XDG_DATA_HOME/culprit or ~/.local/share/culprit).")
  Path dataDir;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description =
          "Embedded broker port on 127.0.0.1; 0 picks a free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "7d",
      description =
          "How long the embedded broker keeps samples for replays (default: ${DEFAULT-VALUE}).")
  Duration retention;

  @Option(names = "--json", description = "Print events as JSON lines.")
  boolean json;

  @Option(
      names = "--every-window",
      description =
          "Print every window's root causes (as before) instead of one line when a cause starts,"
              + " a reminder while it lasts and one line when it ends.")
  boolean everyWindow;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9464",
      description =
          "Serve the collector's and the processor's metrics for Prometheus at"
              + " http://HOST:PORT/metrics; 'none' to turn it off (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Mixin HttpAddressOption http;

  @Override
  public Integer call() throws Exception {
    Path dir = DataDir.ensureOwned(dataDir != null ? dataDir : DataDir.defaultDir());
    EmbeddedBroker broker = null;
    try {
      KafkaAccess kafka;
      if (bootstrapServers == null) {
        broker =
            BrokerCommand.startBroker(
                dir, port, TopicSettings.defaults().samplePartitions(), retention);
        // The broker's own login; a --kafka-config file may add client settings on top.
        KafkaAccess file = kafkaConfig.resolve(broker.bootstrapServers(), dir);
        java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
        props.putAll(broker.clientProperties());
        props.putAll(file.properties());
        kafka = new KafkaAccess(broker.bootstrapServers(), props);
      } else {
        kafka = kafkaConfig.resolve(bootstrapServers, dir);
        ensureTopics(kafka);
      }
      try {
        run(kafka, dir);
      } catch (dev.culprit.collector.platform.fs.UnsafeDirectoryException e) {
        throw new UserException(e.getMessage(), 2);
      }
    } finally {
      if (broker != null) {
        broker.close();
        DataDir.clearBootstrap(dir);
      }
    }
    return 0;
  }

  private void run(KafkaAccess kafka, Path dir) throws Exception {
    String servers = kafka.bootstrapServers();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    org.apache.kafka.streams.state.HostInfo self = http.parse();
    ProcessorConfig processorConfig = LiveAddress.announce(processor.config(kafka, dir), self);
    CollectorConfig collectorConfig = collector.config(kafka, dir);
    CommandRunner runner = collector.runner();
    // Printer first, positioned at the end, so no cause produced after start is missed.
    try (EventPrinter printer = new EventPrinter(kafka, out, json, everyWindow);
        CulpritProcessor streams = new CulpritProcessor(processorConfig);
        var live = LiveAddress.serve(self, streams, processorConfig);
        CollectorOptions.HostSources sources = collector.open(collectorConfig, runner);
        AgentMetrics agent =
            new AgentMetrics(collectorConfig.openKafkaPublisher(), collectorConfig.interval());
        Collector c =
            new Collector(
                collectorConfig, sources.list(), collector.finder(collectorConfig), agent);
        var server =
            MetricsAddress.serve(
                metricsAddress,
                () ->
                    agent.scrape()
                        + ProcessorMetricsText.render(
                            streams.culpritMetrics(), streams.metrics()))) {
      streams.start();
      c.start();
      System.err.println(
          "culprit up: ready — broker "
              + servers
              + ", collecting every "
              + collectorConfig.interval()
              + " as host "
              + collectorConfig.hostId()
              + ", windows of "
              + processorConfig.windowSize()
              + (live == null ? "" : "; live page at http://" + http.address + "/")
              + "; root causes follow on stdout"
              + " (Ctrl-C stops)");
      Shutdown.awaitSignalOr(streams.failure());
      if (streams.failure().isDone()) {
        // Stopped by itself (crash loop, full buffer): the reason was logged; exit non-zero.
        throw new UserException("processor stopped: " + streams.failure().join().getMessage());
      }
      LOG.info("stopping collector, processor and printer");
    }
  }

  private static void ensureTopics(KafkaAccess kafka) throws Exception {
    String servers = kafka.bootstrapServers();
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      ContractTopics.ensure(admin, TopicSettings.defaults(), Duration.ofSeconds(30));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new UserException("no Kafka broker answered at " + servers + " within 30s");
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException a) {
        // Retrying cannot help: the password or the mechanism is wrong.
        throw new UserException("Kafka at " + servers + " refused the login: " + a.getMessage());
      }
      throw e;
    }
  }
}
