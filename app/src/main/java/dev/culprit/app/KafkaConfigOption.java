package dev.culprit.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --kafka-config FILE}, for every command that talks to Kafka. */
final class KafkaConfigOption {

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description = {
        "Kafka client properties (security.protocol, sasl.*, ssl.*, bootstrap.servers ...) for"
            + " every client of this command. Put passwords here, never on the command line,"
            + " which every local user can read; a file holding one must be mode 0600.",
        "Default: the login of the broker of a running `culprit up`/`broker` on --data-dir."
      })
  Path file;

  KafkaAccess resolve(String bootstrapServers, Path dataDir) {
    return KafkaAccess.resolve(bootstrapServers, file, dataDir);
  }
}
