package dev.culprit.app;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.TopicSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code culprit broker}: only the embedded broker, until Ctrl-C / SIGTERM. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Runs only the embedded single-node Kafka broker (KRaft) on 127.0.0.1, with the contract"
          + " topics, until Ctrl-C or SIGTERM. Data persists in --data-dir across restarts.",
      "Clients must log in (SASL/SCRAM-SHA-512) as the user whose password the broker keeps in"
          + " --data-dir; culprit's own commands on the same --data-dir find it themselves."
    })
final class BrokerCommand implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "State directory (default: $CULPRIT_DATA_DIR, $XDG_DATA_HOME/culprit or"
              + " ~/.local/share/culprit).")
  Path dataDir;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description =
          "Port on 127.0.0.1 for Kafka clients; 0 picks a free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions of every sample topic, when created (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      defaultValue = "7d",
      description = "How long samples are kept for postmortem replays (default: ${DEFAULT-VALUE}).")
  Duration retention;

  @Override
  public Integer call() throws Exception {
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    try (EmbeddedBroker broker = startBroker(dir, port, partitions, retention)) {
      System.err.println(
          "culprit broker: ready on " + broker.bootstrapServers() + " (data in " + dir + ")");
      Shutdown.awaitSignal();
    } finally {
      DataDir.clearBootstrap(dir);
    }
    return 0;
  }

  /** Starts the broker on the data dir and records its address there. Shared with {@code up}. */
  static EmbeddedBroker startBroker(Path dir, int port, int partitions, Duration retention)
      throws Exception {
    DataDir.ensureOwned(dir);
    TopicSettings defaults = TopicSettings.defaults();
    TopicSettings settings =
        new TopicSettings(
            partitions,
            defaults.resultPartitions(),
            defaults.replicationFactor(),
            retention,
            defaults.resultRetention());
    EmbeddedBroker broker;
    try {
      broker = EmbeddedBroker.startAuthenticated(dir.resolve("broker"), port, settings);
    } catch (java.io.IOException e) {
      throw new UserException(
          "cannot start the embedded broker on 127.0.0.1:"
              + port
              + " ("
              + e.getMessage()
              + "); is another broker using the port? Try --port 0 or --bootstrap-servers.");
    }
    DataDir.writeBootstrap(dir, broker.bootstrapServers(), broker.clientProperties());
    return broker;
  }
}
