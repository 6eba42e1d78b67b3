package dev.culprit.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.utils.Time;
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
  private final BrokerCredentials credentials;
  private final Map<String, String> clientListenerSettings;
  private volatile boolean closed;

  private EmbeddedBroker(
      Path dataDir,
      int port,
      boolean deleteOnClose,
      KafkaRaftServer server,
      BrokerCredentials credentials,
      Map<String, String> clientListenerSettings) {
    this.dataDir = dataDir;
    this.port = port;
    this.deleteOnClose = deleteOnClose;
    this.server = server;
    this.credentials = credentials;
    this.clientListenerSettings = clientListenerSettings;
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
    return start(dataDir, port, topics, false, false, Map.of());
  }

  /**
   * As {@link #start(Path, int, TopicSettings)}, but clients must log in: the client listener
   * speaks SASL_PLAINTEXT with SCRAM-SHA-512, an authorizer refuses everyone but culprit's own
   * users, and the users' random passwords are made on first start and kept in {@code
   * credentials.properties} of {@code dataDir} (mode 0600, directory 0700). {@link
   * #clientProperties()} logs in as culprit.
   */
  public static EmbeddedBroker startAuthenticated(Path dataDir, int port, TopicSettings topics)
      throws IOException {
    return start(dataDir, port, topics, true, false, Map.of());
  }

  /** An authenticated broker ({@link #startAuthenticated}) in a temporary directory: for tests. */
  public static EmbeddedBroker startTemporaryAuthenticated() throws IOException {
    return startTemporaryAuthenticated(Map.of());
  }

  /**
   * As {@link #startTemporaryAuthenticated()}, with broker properties on top: e.g. {@code
   * listener.security.protocol.map} with {@code CLIENT:SASL_SSL} and the listener's key store, for
   * a test of TLS. Its listeners are named {@code CLIENT} and {@code CONTROLLER}.
   */
  public static EmbeddedBroker startTemporaryAuthenticated(Map<String, String> overrides)
      throws IOException {
    Path dir = Files.createTempDirectory("culprit-broker-");
    return start(dir, 0, TopicSettings.defaults(), true, true, overrides);
  }

  /**
   * A broker in a fresh temporary directory, deleted on {@link #close()}: for tests.
   *
   * @param overrides broker properties to set on top of the defaults; {@code listeners} without a
   *     CONTROLLER listener gets the broker's own controller listener added
   */
  public static EmbeddedBroker startTemporary(Map<String, String> overrides) throws IOException {
    Path dir = Files.createTempDirectory("culprit-broker-");
    return start(dir, 0, TopicSettings.defaults(), false, true, overrides);
  }

  /**
   * As {@link #startTemporary(Map)}, listening on {@code port} (0: any free port); for tests that
   * put a proxy in front of the broker and advertise the proxy's address.
   */
  public static EmbeddedBroker startTemporary(int port, Map<String, String> overrides)
      throws IOException {
    Path dir = Files.createTempDirectory("culprit-broker-");
    return start(dir, port, TopicSettings.defaults(), false, true, overrides);
  }

  /** A broker in a fresh temporary directory, deleted on {@link #close()}: for tests. */
  public static EmbeddedBroker startTemporary() throws IOException {
    return startTemporary(Map.of());
  }

  private static EmbeddedBroker start(
      Path dataDir,
      int port,
      TopicSettings topics,
      boolean authenticated,
      boolean deleteOnClose,
      Map<String, String> overrides)
      throws IOException {
    Files.createDirectories(dataDir);
    Path logDir = dataDir.resolve("kafka-logs");
    BrokerCredentials credentials = null;
    boolean credentialsNew = false;
    if (authenticated) {
      // The log, the credentials and the metadata are culprit's alone.
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      BrokerCredentials.Loaded loaded = BrokerCredentials.loadOrCreate(dataDir);
      credentials = loaded.credentials();
      credentialsNew = loaded.created();
    }
    int brokerPort = port == 0 ? KraftNodes.freePort() : port;
    int controllerPort = KraftNodes.freePort();
    Properties props = properties(logDir, brokerPort, controllerPort, topics);
    if (credentials != null) {
      props.putAll(securityProperties(credentials, brokerPort, controllerPort));
    }
    props.putAll(overrides);
    String listeners = props.getProperty("listeners");
    if (!listeners.contains("CONTROLLER://")) {
      // A test that adds a listener (e.g. SASL_PLAINTEXT) cannot know the controller's port.
      props.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
    }
    KafkaConfig config = new KafkaConfig(props, false);

    boolean formatted = Files.exists(logDir.resolve("meta.properties"));
    if (!formatted) {
      KraftNodes.format(
          NODE_ID,
          Uuid.randomUuid().toString(),
          logDir,
          // The controller must know the users before any client (or the broker) logs in.
          credentials == null ? List.of() : credentials.scramArguments());
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
    EmbeddedBroker broker =
        new EmbeddedBroker(
            dataDir,
            brokerPort,
            deleteOnClose,
            server,
            credentials,
            credentials == null ? Map.of() : clientListenerSettings(props));
    try {
      if (formatted && credentialsNew) {
        // Storage from before authentication: its metadata has no SCRAM user yet. The broker's
        // own user (PLAIN, from the configuration) adds it.
        broker.addScramUsers();
      }
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

  /**
   * The client properties that log in to this broker as culprit (security protocol, SASL mechanism,
   * JAAS config); empty when it needs no login.
   */
  public Map<String, String> clientProperties() {
    if (credentials == null) {
      return Map.of();
    }
    Map<String, String> p = new LinkedHashMap<>(credentials.clientProperties());
    p.putAll(clientListenerSettings);
    return p;
  }

  /**
   * What a client needs to know of a client listener changed by overrides: its protocol (SASL_SSL)
   * and the trust store the broker's own connections to it use.
   */
  private static Map<String, String> clientListenerSettings(Properties props) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : props.getProperty("listener.security.protocol.map").split(",")) {
      String[] kv = entry.split(":");
      if (kv[0].equals("CLIENT")) {
        out.put("security.protocol", kv[1]);
      }
    }
    String prefix = "listener.name.client.";
    for (String key : props.stringPropertyNames()) {
      if (key.startsWith(prefix + "ssl.truststore.")
          || key.equals(prefix + "ssl.endpoint.identification.algorithm")) {
        out.put(key.substring(prefix.length()), props.getProperty(key));
      }
    }
    return out;
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> p = new HashMap<>(clientProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(p);
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
      try {
        KraftNodes.deleteRecursively(dataDir);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", dataDir, e.toString());
      }
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

  private void addScramUsers() throws IOException {
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    p.put(SaslConfigs.SASL_JAAS_CONFIG, credentials.brokerPlainJaas());
    ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192);
    List<UserScramCredentialAlteration> users =
        List.of(
            new UserScramCredentialUpsertion(
                credentials.clientUser(), info, credentials.clientPassword()));
    try (Admin admin = Admin.create(p)) {
      admin
          .alterUserScramCredentials(users)
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      LOG.info("added the SCRAM user of {} to existing storage", dataDir);
      awaitScramLogin();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while adding the SCRAM user", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("cannot add the SCRAM user: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the client user can log in: the controller has committed the new credential when
   * {@code alterUserScramCredentials} returns, but the broker applies it from the metadata log a
   * moment later, and a login in between fails (seen under load: "invalid credentials").
   */
  private void awaitScramLogin()
      throws InterruptedException, java.util.concurrent.TimeoutException, IOException {
    Map<String, Object> p = new HashMap<>(clientProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    long backoffMs = 20;
    while (true) {
      try (Admin admin = Admin.create(p)) {
        admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException)
            || System.nanoTime() > deadline) {
          throw new IOException("the SCRAM user cannot log in: " + e.getMessage(), e);
        }
      }
      Thread.sleep(backoffMs); // the broker applies the credential on its own; poll until it has
      backoffMs = Math.min(500, backoffMs * 2);
    }
  }

  /**
   * Clients log in with SCRAM on the client listener. The broker's own user logs in with PLAIN, a
   * static user in the broker's configuration, both there (inter-broker) and on the controller
   * listener, which clients are never told about: it needs no SCRAM user in the metadata, so it
   * works before any exists (KRaft controllers cannot take SCRAM). Everyone but these two users is
   * refused by the authorizer: there are no ACLs.
   */
  private static Map<String, String> securityProperties(
      BrokerCredentials c, int brokerPort, int controllerPort) {
    Map<String, String> p = new HashMap<>();
    p.put(
        "listeners",
        "CLIENT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "CLIENT://127.0.0.1:" + brokerPort);
    p.put("inter.broker.listener.name", "CLIENT");
    p.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
    p.put("listener.name.client.sasl.enabled.mechanisms", BrokerCredentials.MECHANISM + ",PLAIN");
    // The server side of SCRAM needs a login module entry, though it logs nobody in.
    p.put(
        "listener.name.client.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    p.put("listener.name.client.plain.sasl.jaas.config", c.brokerPlainJaas());
    p.putAll(
        KraftNodes.plainControllerBehindAuthorizer(
            c.brokerPlainJaas(), c.clientUser(), c.brokerUser()));
    return p;
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
    p.putAll(KraftNodes.internalTopics(1, 1, 5));
    p.put("num.partitions", Integer.toString(topics.samplePartitions()));
    return p;
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("error while stopping the embedded broker: {}", e.toString());
    }
  }
}
