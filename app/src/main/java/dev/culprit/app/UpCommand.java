package dev.culprit.app;

import dev.culprit.broker.ContractTopics;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.TopicSettings;
import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

  @Override
  public Integer call() throws Exception {
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    EmbeddedBroker broker = null;
    try {
      String servers;
      if (bootstrapServers == null) {
        broker =
            BrokerCommand.startBroker(
                dir, port, TopicSettings.defaults().samplePartitions(), retention);
        servers = broker.bootstrapServers();
      } else {
        servers = bootstrapServers;
        ensureTopics(servers);
      }
      run(servers, dir);
    } finally {
      if (broker != null) {
        broker.close();
        DataDir.clearBootstrap(dir);
      }
    }
    return 0;
  }

  private void run(String servers, Path dir) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ProcessorConfig processorConfig = processor.config(servers, dir);
    CollectorConfig collectorConfig = collector.config(servers, dir);
    CommandRunner runner = collector.runner();
    // Printer first, positioned at the end, so no cause produced after start is missed.
    try (EventPrinter printer = new EventPrinter(servers, out, json);
        CulpritProcessor streams = new CulpritProcessor(processorConfig);
        CollectorOptions.HostSources sources = collector.open(collectorConfig, runner);
        Collector c =
            new Collector(
                collectorConfig,
                sources.list(),
                collector.finder(collectorConfig),
                collectorConfig.openKafkaPublisher())) {
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
              + "; root causes follow on stdout"
              + " (Ctrl-C stops)");
      Shutdown.awaitSignal();
      LOG.info("stopping collector, processor and printer");
    }
  }

  private static void ensureTopics(String servers) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      ContractTopics.ensure(admin, TopicSettings.defaults(), Duration.ofSeconds(30));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new UserException("no Kafka broker answered at " + servers + " within 30s");
    }
  }
}
