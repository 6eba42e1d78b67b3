package dev.culprit.app;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command that only reads culprit's topics ({@code tail}, {@code replay}, {@code alert})
 * finds Kafka: {@code --bootstrap-servers}, the local culprit's {@code --data-dir}, and {@code
 * --kafka-config}.
 */
final class KafkaClientOptions {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka to read from (default: the broker of a running `culprit up`/`broker`"
              + " on --data-dir, else 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory of a local culprit.")
  Path dataDir;

  @Mixin KafkaConfigOption kafkaConfig;

  /** The data directory given, or the default one. */
  Path dataDirOrDefault() {
    return dataDir != null ? dataDir : DataDir.defaultDir();
  }

  /** Where Kafka is and how to log in, from the options, the config file and the data dir. */
  KafkaAccess resolve() {
    return kafkaConfig.resolve(bootstrapServers, dataDir);
  }
}
