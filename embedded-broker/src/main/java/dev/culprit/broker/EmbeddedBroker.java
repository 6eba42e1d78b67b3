package dev.culprit.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running in this JVM, from
 * the Kafka Maven artifacts. Binds 127.0.0.1 only. Formats its storage on first start, keeps data
 * across restarts on the same directory, and creates the contract topics.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final int NODE_ID = 1;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final int port;
  private final boolean deleteOnClose;
  private final KafkaRaftServer server;
  private volatile boolean closed;

  private EmbeddedBroker(Path dataDir, int port, boolean deleteOnClose, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.deleteOnClose = deleteOnClose;
    this.server = server;
  }

  /**
   * Starts a broker on {@code dataDir} listening on 127.0.0.1:{@code port} (0 = a free port) with
   * the default topic settings, and waits until it serves requests and the contract topics exist.
   */
  public static EmbeddedBroker start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, TopicSettings.defaults());
  }

  /** As {@link #start(Path, int)}, with explicit topic settings. */
  public static EmbeddedBroker start(Path dataDir, int port, TopicSettings topics)
      throws IOException {
    return start(dataDir, port, topics, false, Map.of());
  }

  /**
   * A broker in a fresh temporary directory, deleted on {@link #close()}: for tests.
   *
   * @param overrides broker properties to set on top of the defaults; {@code listeners} without a
   *     CONTROLLER listener gets the broker's own controller listener added
   */
  public static EmbeddedBroker startTemporary(Map<String, String> overrides) throws IOException {
    Path dir = Files.createTempDirectory("culprit-broker-");
    return start(dir, 0, TopicSettings.defaults(), true, overrides);
  }

  /**
   * As {@link #startTemporary(Map)}, listening on {@code port} (0: any free port); for tests that
   * put a proxy in front of the broker and advertise the proxy's address.
   */
  public static EmbeddedBroker startTemporary(int port, Map<String, String> overrides)
      throws IOException {
    Path dir = Files.createTempDirectory("culprit-broker-");
    return start(dir, port, TopicSettings.defaults(), true, overrides);
  }

  /** A broker in a fresh temporary directory, deleted on {@link #close()}: for tests. */
  public static EmbeddedBroker startTemporary() throws IOException {
    return startTemporary(Map.of());
  }

  private static EmbeddedBroker start(
      Path dataDir,
      int port,
      TopicSettings topics,
      boolean deleteOnClose,
      Map<String, String> overrides)
      throws IOException {
    Files.createDirectories(dataDir);
    Path logDir = dataDir.resolve("kafka-logs");
    int brokerPort = port == 0 ? freePort() : port;
    int controllerPort = freePort();
    Properties props = properties(logDir, brokerPort, controllerPort, topics);
    props.putAll(overrides);
    String listeners = props.getProperty("listeners");
    if (!listeners.contains("CONTROLLER://")) {
      // A test that adds a listener (e.g. SASL_PLAINTEXT) cannot know the controller's port.
      props.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
    }
    KafkaConfig config = new KafkaConfig(props, false);

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(logDir);
      LOG.info("formatted new KRaft storage in {}", logDir);
    }
    long started = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw new IOException(
          "embedded Kafka broker failed to start on 127.0.0.1:"
              + brokerPort
              + ": "
              + e.getMessage(),
          e);
    }
    EmbeddedBroker broker = new EmbeddedBroker(dataDir, brokerPort, deleteOnClose, server);
    try {
      broker.createContractTopics(topics);
    } catch (RuntimeException | IOException e) {
      broker.close();
      throw e;
    }
    LOG.info(
        "embedded Kafka broker ready on {} in {} ms (data in {})",
        broker.bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        dataDir);
    return broker;
  }

  /** {@code 127.0.0.1:port}, for clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** The data directory. */
  public Path dataDir() {
    return dataDir;
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** Shuts the broker down cleanly and waits for it; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutdownQuietly(server);
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
    LOG.info("embedded Kafka broker on port {} stopped", port);
  }

  private void createContractTopics(TopicSettings topics) throws IOException {
    try (Admin admin = admin()) {
      List<String> created = ContractTopics.ensure(admin, topics, ADMIN_TIMEOUT);
      if (!created.isEmpty()) {
        LOG.info("created contract topics {}", created);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("broker did not answer within " + ADMIN_TIMEOUT, e);
    }
  }

  private static Properties properties(
      Path logDir, int brokerPort, int controllerPort, TopicSettings topics) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: every internal topic has one replica and needs one in sync.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions: the defaults (50) cost seconds at first start for no benefit here.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");
    // A single consumer group member should not wait 3 s for others that never come.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", Integer.toString(topics.samplePartitions()));
    p.put("default.replication.factor", "1");
    // Clients must use the contract topics; a typo must not silently create a new one.
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private static void format(Path logDir) throws IOException {
    try {
      new Formatter()
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("error while stopping the embedded broker: {}", e.toString());
    }
  }

  private static void deleteRecursively(Path dir) {
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
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
