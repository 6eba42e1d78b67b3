package dev.culprit.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How a command reaches Kafka: the bootstrap servers and the client properties every client of the
 * command gets (security protocol, SASL login, TLS trust store ...).
 *
 * <p>Where they come from, first match wins for the servers: {@code --bootstrap-servers}; {@code
 * bootstrap.servers} in the {@code --kafka-config} file; the broker of a running {@code culprit
 * up}/{@code broker} on the data directory, whose login comes with it; else 127.0.0.1:9092. The
 * properties of {@code --kafka-config} apply in every case, over the data directory's.
 *
 * @param bootstrapServers where to connect
 * @param properties client properties, without {@code bootstrap.servers}
 */
record KafkaAccess(String bootstrapServers, Map<String, String> properties) {

  static final String DEFAULT_SERVERS = "127.0.0.1:9092";

  KafkaAccess {
    properties = Map.copyOf(properties);
  }

  static KafkaAccess resolve(String explicitServers, Path kafkaConfig, Path dataDir) {
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    Map<String, String> file =
        kafkaConfig == null ? Map.of() : KafkaConfigFile.load(kafkaConfig, "--kafka-config file");
    Map<String, String> props = new LinkedHashMap<>();
    String servers = explicitServers != null ? explicitServers : file.get("bootstrap.servers");
    if (servers == null) {
      servers = DataDir.readBootstrap(dir).orElse(null);
      if (servers != null) {
        props.putAll(DataDir.readClientProperties(dir));
      } else {
        servers = DEFAULT_SERVERS;
      }
    }
    props.putAll(file);
    props.remove("bootstrap.servers");
    return new KafkaAccess(servers, props);
  }

  /** Properties for a Java Kafka client: the client properties and the servers. */
  Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }
}
