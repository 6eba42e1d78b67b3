package dev.culprit.app;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.publish.JsonLinesPublisher;
import dev.culprit.collector.publish.KafkaPublisher;
import dev.culprit.collector.runtime.AgentMetrics;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.runtime.MetricsServer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code culprit collect}: only the collector, against a Kafka cluster. */
@Command(
    name = "collect",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Runs only the collector: samples this host and every network namespace and container on"
          + " it every --interval and publishes raw counters to Kafka.",
      "While the broker is unreachable, samples wait in a bounded on-disk spool and are delivered"
          + " in order when it returns.",
      "--once --json prints one cycle as JSON lines on stdout instead, without Kafka."
    })
final class CollectCommand implements Callable<Integer> {

  @Mixin CollectorOptions collector;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka to publish to (default: the broker of a running `culprit up`/`broker`"
              + " on --data-dir, else 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory (spool default: DATA_DIR/spool).")
  Path dataDir;

  @Option(
      names = "--producer-property",
      paramLabel = "KEY=VALUE",
      description = {
        "A Kafka producer setting, repeatable (e.g. compression.type=gzip); over those of"
            + " --kafka-config. Never a password: every local user can read the command line.",
        "The collector's built-in client speaks plain TCP with zstd, gzip or no compression;"
            + " any setting it does not have (TLS, SASL, lz4, ...) makes it use the Java Kafka"
            + " client instead, which costs the agent about 24 MiB more memory."
      })
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9464",
      description =
          "Serve the agent's own metrics for Prometheus at http://HOST:PORT/metrics; 'none' to"
              + " turn it off (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Option(names = "--once", description = "Run one cycle and exit.")
  boolean once;

  @Option(
      names = "--json",
      description = "With --once: print the records as JSON lines, publish nothing.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (json && !once) {
      throw new UserException("--json prints one cycle: use it with --once", 2);
    }
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    warnAboutSecretsOnTheCommandLine(producerProperties);
    KafkaAccess kafka = kafkaConfig.resolve(bootstrapServers, dir);
    String servers = kafka.bootstrapServers();
    CollectorConfig config = collector.config(kafka, dir, producerProperties);
    CommandRunner runner = collector.runner();
    if (once && json) {
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      try (CollectorOptions.HostSources sources = collector.open(config, runner);
          Collector c =
              new Collector(
                  config, sources.list(), collector.finder(config), new JsonLinesPublisher(out))) {
        c.runOnce();
      }
      return 0;
    }
    // The built-in client says itself, at its first connection, that a login was refused
    // (SASL_AUTHENTICATION_FAILED, logged on every attempt while the samples wait in the spool);
    // the Java client's check would load the Admin client into the agent for good.
    if (KafkaPublisher.javaClientCarries(servers, config.producerOverrides())) {
      LoginCheck.verify(kafka);
    }
    KafkaPublisher publisher;
    try {
      publisher = config.openKafkaPublisher();
    } catch (dev.culprit.collector.platform.fs.UnsafeDirectoryException e) {
      throw new UserException(e.getMessage(), 2);
    } catch (IllegalArgumentException | org.apache.kafka.common.config.ConfigException e) {
      // A malformed --producer-property: for the built-in client or the Java one.
      throw new UserException("producer settings: " + e.getMessage(), 2);
    }
    AgentMetrics metrics = new AgentMetrics(publisher, config.interval());
    try (CollectorOptions.HostSources sources = collector.open(config, runner);
        Collector c = new Collector(config, sources.list(), collector.finder(config), metrics);
        MetricsServer server =
            once ? null : MetricsAddress.serve(metricsAddress, metrics::scrape)) {
      if (once) {
        c.runOnce();
        if (!publisher.flush(java.time.Duration.ofSeconds(10))) {
          System.err.println(
              "culprit collect: broker at "
                  + servers
                  + " did not acknowledge within 10s;"
                  + " the samples stay in the spool "
                  + config.spoolDir());
          return 1;
        }
        return 0;
      }
      c.start();
      System.err.println(
          "culprit collect: publishing to "
              + servers
              + " every "
              + config.interval()
              + " (host "
              + config.hostId()
              + ", spool "
              + config.spoolDir()
              + ")"
              + (server == null
                  ? ""
                  : "; metrics on http://" + MetricsAddress.text(server) + "/metrics"));
      Shutdown.awaitSignal();
    }
    return 0;
  }

  /** {@code /proc/PID/cmdline} is world-readable: a password there is everyone's. */
  private static void warnAboutSecretsOnTheCommandLine(Map<String, String> properties) {
    properties.keySet().stream()
        .filter(KafkaConfigFile::isSecret)
        .forEach(
            k ->
                System.err.println(
                    "culprit collect: warning: --producer-property "
                        + k
                        + " is visible to every local user (/proc/PID/cmdline, ps); put it in a"
                        + " --kafka-config file of mode 0600 instead"));
  }
}
