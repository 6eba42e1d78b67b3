package dev.culprit.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * What setting up a KRaft node takes, the same for the embedded broker and for the test cluster's
 * nodes: a free port, formatted storage, the settings of the internal topics and of the PLAIN
 * controller listener behind the authorizer, and deleting a node's directory.
 */
public final class KraftNodes {

  private KraftNodes() {}

  /** A TCP port on the loopback address that nothing listens on just now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  /**
   * Formats KRaft storage in {@code logDir} (data and metadata) for node {@code nodeId} of cluster
   * {@code clusterId}, its controller listener named {@code CONTROLLER}.
   *
   * @param scramArguments {@code --add-scram} arguments: users the controller knows before any
   *     client logs in; empty for none
   */
  public static void format(int nodeId, String clusterId, Path logDir, List<String> scramArguments)
      throws IOException {
    try {
      Formatter formatter = new Formatter();
      if (!scramArguments.isEmpty()) {
        formatter.setScramArguments(scramArguments);
      }
      formatter
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .addDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir.toString())
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IOException("cannot format KRaft storage in " + logDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The internal topics' settings for a cluster whose topics have {@code replicas} replicas of
   * which {@code minIsr} must be in sync, and the group and topic creation settings both set-ups
   * share.
   *
   * @param partitions partitions of the offsets and transaction state topics: fewer than the
   *     default 50, which cost seconds at first start for no benefit here
   */
  public static Map<String, String> internalTopics(int replicas, int minIsr, int partitions) {
    Map<String, String> p = new HashMap<>();
    p.put("default.replication.factor", Integer.toString(replicas));
    p.put("offsets.topic.replication.factor", Integer.toString(replicas));
    p.put("offsets.topic.num.partitions", Integer.toString(partitions));
    p.put("transaction.state.log.replication.factor", Integer.toString(replicas));
    p.put("transaction.state.log.min.isr", Integer.toString(minIsr));
    p.put("transaction.state.log.num.partitions", Integer.toString(partitions));
    p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
    p.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
    // A single consumer group member should not wait 3 s for others that never come.
    p.put("group.initial.rebalance.delay.ms", "0");
    // Clients must use the contract topics; a typo must not silently create a new one.
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  /**
   * The controller listener with PLAIN and {@code brokerJaas} (its static users), and {@code
   * StandardAuthorizer} refusing everyone but {@code superUsers}: there are no ACLs.
   */
  public static Map<String, String> plainControllerBehindAuthorizer(
      String brokerJaas, String... superUsers) {
    Map<String, String> p = new HashMap<>();
    p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.put("sasl.mechanism.controller.protocol", "PLAIN");
    p.put("listener.name.controller.plain.sasl.jaas.config", brokerJaas);
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", "User:" + String.join(";User:", superUsers));
    p.put("allow.everyone.if.no.acl.found", "false");
    return p;
  }

  /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
