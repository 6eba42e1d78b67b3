package dev.culprit.broker.cluster;

import dev.culprit.broker.ContractTopics;
import dev.culprit.broker.KraftNodes;
import dev.culprit.broker.TestCertificates;
import dev.culprit.broker.TopicSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster for tests: one KRaft controller and three brokers, each in its own child JVM
 * ({@code kafka.Kafka server.properties}) from the Kafka artifacts on the class path, on 127.0.0.1.
 * In-process multi-node quorums share static state and do not survive a node's kill; separate
 * processes do, and {@code kill -9} of one is then what it is in production.
 *
 * <p>Every broker sits behind a {@link TcpProxy}: its advertised listener is the proxy, so clients
 * and the other brokers' replica fetchers reach it only through the proxy, and its connection to
 * the controller goes through a second proxy. {@link #partition(int)} stalls both: the broker is
 * cut off from everyone without a single connection closing, the controller fences it after the
 * session timeout and moves its leaderships.
 *
 * <p>Clients log in with SASL/PLAIN as the super user {@code culprit}; the brokers log in to each
 * other and the controller as {@code broker}; {@code StandardAuthorizer} refuses everyone else.
 * Started {@linkplain #startWithTls with TLS}, the client listener (also the brokers' own) is
 * SASL_SSL with a certificate made for the cluster by keytool, and the client properties trust it.
 * The contract topics are created with 3 replicas, and {@code min.insync.replicas=2} holds for
 * every topic.
 *
 * <p>{@link #close()} kills every process it started (by its handle) and deletes the directory; a
 * shutdown hook does the same if the test JVM exits without closing.
 */
public final class KafkaCluster implements AutoCloseable {

  /** The controller's node id; brokers are 1, 2 and 3. */
  public static final int CONTROLLER_ID = 0;

  public static final int BROKERS = 3;
  public static final String CLIENT_USER = "culprit";
  public static final String CLIENT_PASSWORD = "culprit-secret";

  /** A user that is no super user: it may do only what ACLs grant it. */
  public static final String AGENT_USER = "agent";

  private static final String AGENT_PASSWORD = "agent-secret";
  private static final String BROKER_USER = "broker";
  private static final String TLS_PASSWORD = "culprit-cluster-tls";
  private static final String BROKER_PASSWORD = "broker-secret";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final String clusterId = Uuid.randomUuid().toString();
  private final Map<Integer, Node> nodes = new LinkedHashMap<>();
  private final Map<String, String> brokerOverrides;

  /** The client listener's key store and its clients' trust store, or null without TLS. */
  private TestCertificates certs;

  private Path keyStore;

  private Path trustStore;
  private final Thread shutdownHook = new Thread(this::killAll, "kafka-cluster-shutdown");
  private boolean closed;

  private KafkaCluster(Path dir, Map<String, String> brokerOverrides) {
    this.dir = dir;
    this.brokerOverrides = brokerOverrides;
  }

  /**
   * Starts the controller and the three brokers in a fresh temporary directory, waits until all
   * three brokers are registered, and creates the contract topics with {@code samplePartitions}
   * partitions.
   *
   * @param brokerOverrides broker properties on top of the cluster's (e.g. a short {@code
   *     producer.id.expiration.ms})
   */
  public static KafkaCluster start(int samplePartitions, Map<String, String> brokerOverrides)
      throws IOException {
    return start(samplePartitions, brokerOverrides, false);
  }

  /** As {@link #start(int, Map)}, the client listener SASL_SSL (TLS with a SASL/PLAIN login). */
  public static KafkaCluster startWithTls(int samplePartitions, Map<String, String> brokerOverrides)
      throws IOException {
    return start(samplePartitions, brokerOverrides, true);
  }

  private static KafkaCluster start(
      int samplePartitions, Map<String, String> brokerOverrides, boolean tls) throws IOException {
    KafkaCluster cluster =
        new KafkaCluster(Files.createTempDirectory("culprit-cluster-"), brokerOverrides);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      if (tls) {
        TestCertificates certs =
            new TestCertificates(Files.createDirectory(cluster.dir.resolve("tls")), TLS_PASSWORD);
        cluster.certs = certs;
        if (!certs.available()) {
          throw new IOException("this JDK has no keytool to make the cluster's certificate");
        }
        cluster.keyStore = certs.keyPair("broker", "localhost", "ip:127.0.0.1,dns:localhost");
        cluster.trustStore = certs.trustStore("trust", "broker");
      }
      cluster.startAll(samplePartitions);
      return cluster;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cluster.close();
      throw new IOException("interrupted while making the cluster's certificate", e);
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** As {@link #start(int, Map)} with the cluster's own broker settings. */
  public static KafkaCluster start(int samplePartitions) throws IOException {
    return start(samplePartitions, Map.of());
  }

  private void startAll(int samplePartitions) throws IOException {
    int controllerPort = KraftNodes.freePort();
    Node controller =
        new Node(CONTROLLER_ID, dir.resolve("controller"), controllerPort, null, null);
    nodes.put(CONTROLLER_ID, controller);
    for (int id = 1; id <= BROKERS; id++) {
      int brokerPort = KraftNodes.freePort();
      TcpProxy front = new TcpProxy(0, brokerPort);
      TcpProxy toController = new TcpProxy(0, controllerPort);
      Node n = new Node(id, dir.resolve("broker-" + id), brokerPort, front, toController);
      nodes.put(id, n);
    }
    for (Node n : nodes.values()) {
      Files.createDirectories(n.logDir());
      Files.writeString(n.dir.resolve("server.properties"), toText(properties(n)));
      format(n);
    }
    for (Node n : nodes.values()) {
      n.launch();
    }
    try (Admin admin = admin()) {
      awaitTrue(
          () -> registeredBrokers(admin) == BROKERS, START_TIMEOUT, "all three brokers registered");
      ContractTopics.ensure(
          admin,
          new TopicSettings(
              samplePartitions,
              samplePartitions,
              (short) 3,
              Duration.ofDays(1),
              Duration.ofDays(1)),
          ADMIN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the cluster", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("cluster did not create the topics within " + ADMIN_TIMEOUT, e);
    }
  }

  /** The brokers' proxies, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return nodes.values().stream()
        .filter(n -> n.id != CONTROLLER_ID)
        .map(n -> "127.0.0.1:" + n.proxy.port())
        .collect(Collectors.joining(","));
  }

  /** The client properties that log in as culprit's super user. */
  public Map<String, String> clientProperties() {
    return loginAs(CLIENT_USER, CLIENT_PASSWORD);
  }

  /** Whether the client listener is SASL_SSL. */
  public boolean tls() {
    return trustStore != null;
  }

  /**
   * The client properties that log in as {@link #AGENT_USER}, who may do nothing until ACLs allow
   * it: for tests of what an agent sees when an ACL denies it a topic.
   */
  public Map<String, String> agentProperties() {
    return loginAs(AGENT_USER, AGENT_PASSWORD);
  }

  private Map<String, String> loginAs(String user, String password) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", tls() ? "SASL_SSL" : "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "PLAIN");
    p.put("sasl.jaas.config", plainJaas(user, password));
    if (tls()) {
      p.putAll(certs.clientTrust(trustStore));
    }
    return p;
  }

  /** An admin client of the cluster; the caller closes it. */
  public Admin admin() {
    Map<String, Object> p = new HashMap<>(clientProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return Admin.create(p);
  }

  /** {@code kill -9} of broker {@code id}: no controlled shutdown, nothing flushed. */
  public void kill(int id) throws InterruptedException {
    broker(id).kill();
  }

  /** Stops broker {@code id} cleanly (SIGTERM: a controlled shutdown) and waits for its exit. */
  public void stop(int id) throws InterruptedException {
    Node n = broker(id);
    Process p = n.process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
    n.process = null;
  }

  /** Starts broker {@code id} again on the same log directory. */
  public void restart(int id) throws IOException {
    broker(id).launch();
  }

  /**
   * Deletes the log directory of the stopped or killed broker {@code id} and formats it afresh:
   * when it restarts it has lost every partition and every producer's state, and fetches them back
   * from the others.
   */
  public void wipe(int id) throws IOException {
    Node n = broker(id);
    if (n.process != null && n.process.isAlive()) {
      throw new IllegalStateException("broker " + id + " runs: kill or stop it first");
    }
    deleteQuietly(n.logDir());
    Files.createDirectories(n.logDir());
    format(n);
  }

  /** Cuts broker {@code id} off from clients, the other brokers and the controller. */
  public void partition(int id) {
    Node n = broker(id);
    n.proxy.stall();
    n.controllerProxy.stall();
  }

  /** Ends {@link #partition(int)}. */
  public void heal(int id) {
    Node n = broker(id);
    n.proxy.resume();
    n.controllerProxy.resume();
  }

  /** Whether broker {@code id}'s process is alive. */
  public boolean running(int id) {
    Process p = broker(id).process;
    return p != null && p.isAlive();
  }

  /** The id of the leader of {@code topic}'s {@code partition}, -1 when it has none. */
  public int leaderOf(String topic, int partition) {
    try (Admin admin = admin()) {
      TopicPartitionInfo info = describe(admin, topic).partitions().get(partition);
      return info.leader() == null ? -1 : info.leader().id();
    }
  }

  /**
   * Waits until the leader of {@code topic}'s {@code partition} is a broker other than {@code not}.
   */
  public int awaitLeaderOtherThan(String topic, int partition, int not, Duration timeout) {
    int[] leader = {-1};
    awaitTrue(
        () -> {
          try {
            leader[0] = leaderOf(topic, partition);
          } catch (RuntimeException e) {
            return false;
          }
          return leader[0] > 0 && leader[0] != not;
        },
        timeout,
        "a leader of " + topic + "-" + partition + " other than " + not);
    return leader[0];
  }

  /** Waits until every partition of {@code topics} has all three replicas in sync. */
  public void awaitFullIsr(List<String> topics, Duration timeout) {
    try (Admin admin = admin()) {
      awaitTrue(
          () -> {
            try {
              for (String topic : topics) {
                for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
                  if (p.isr().size() < p.replicas().size() || p.leader() == null) {
                    return false;
                  }
                }
              }
              return true;
            } catch (RuntimeException e) {
              return false;
            }
          },
          timeout,
          "full ISR of " + topics);
    }
  }

  /** The last lines of a node's output, for failure messages. */
  public String logTail(int id, int lines) {
    try {
      List<String> all = Files.readAllLines(nodes.get(id).dir.resolve("out.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Kills every process, closes the proxies and deletes the directory; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
    deleteQuietly(dir);
  }

  private void killAll() {
    for (Node n : nodes.values()) {
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (n.proxy != null) {
        n.proxy.close();
      }
      if (n.controllerProxy != null) {
        n.controllerProxy.close();
      }
    }
  }

  private Node broker(int id) {
    if (id < 1 || id > BROKERS) {
      throw new IllegalArgumentException("no broker " + id);
    }
    return nodes.get(id);
  }

  private Properties properties(Node n) {
    Properties p = new Properties();
    int controllerPort = nodes.get(CONTROLLER_ID).port;
    p.put("node.id", Integer.toString(n.id));
    p.put("log.dirs", n.logDir().toString());
    p.put("controller.listener.names", "CONTROLLER");
    p.putAll(
        KraftNodes.plainControllerBehindAuthorizer(brokerSideJaas(), CLIENT_USER, BROKER_USER));
    if (n.id == CONTROLLER_ID) {
      p.put("process.roles", "controller");
      p.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + controllerPort);
      p.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
      p.put("listener.security.protocol.map", "CONTROLLER:SASL_PLAINTEXT");
      // A killed broker is fenced and its leaderships move after 3 s, not the default 9 s.
      p.put("broker.session.timeout.ms", "3000");
      return p;
    }
    p.put("process.roles", "broker");
    // Each broker reaches the controller through its own proxy, so a partition cuts that too.
    p.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + n.controllerProxy.port());
    p.put("listeners", "CLIENT://127.0.0.1:" + n.port);
    p.put("advertised.listeners", "CLIENT://127.0.0.1:" + n.proxy.port());
    p.put("inter.broker.listener.name", "CLIENT");
    p.put(
        "listener.security.protocol.map",
        (tls() ? "CLIENT:SASL_SSL" : "CLIENT:SASL_PLAINTEXT") + ",CONTROLLER:SASL_PLAINTEXT");
    if (tls()) {
      // The same stores serve the listener and, as the brokers' client side, their replication.
      p.putAll(certs.listener("CLIENT", keyStore, trustStore));
    }
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    p.put("listener.name.client.sasl.enabled.mechanisms", "PLAIN");
    p.put("listener.name.client.plain.sasl.jaas.config", brokerSideJaas());
    p.put("broker.heartbeat.interval.ms", "500");
    // A dead or cut-off follower leaves the ISR after 4 s, so acks=all goes on with two replicas.
    p.put("replica.lag.time.max.ms", "4000");
    p.put("min.insync.replicas", "2");
    p.putAll(KraftNodes.internalTopics(3, 2, 6));
    // Fail fast rather than wait for a clean shutdown's default 30 s of retries.
    p.put("controlled.shutdown.max.retries", "1");
    p.putAll(brokerOverrides);
    return p;
  }

  /** The login the brokers use and the users every listener knows. */
  private static String brokerSideJaas() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + BROKER_USER
        + "\" password=\""
        + BROKER_PASSWORD
        + "\" user_"
        + BROKER_USER
        + "=\""
        + BROKER_PASSWORD
        + "\" user_"
        + CLIENT_USER
        + "=\""
        + CLIENT_PASSWORD
        + "\" user_"
        + AGENT_USER
        + "=\""
        + AGENT_PASSWORD
        + "\";";
  }

  private static String plainJaas(String user, String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  private void format(Node n) throws IOException {
    KraftNodes.format(n.id, clusterId, n.logDir(), List.of());
  }

  private static int registeredBrokers(Admin admin) {
    try {
      return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
    } catch (Exception e) {
      return 0;
    }
  }

  private static TopicDescription describe(Admin admin, String topic) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe " + topic + ": " + e, e);
    }
  }

  /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes. */
  public static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static String toText(Properties p) {
    return p.stringPropertyNames().stream()
            .sorted()
            .map(k -> k + "=" + p.getProperty(k).replace("\\", "\\\\"))
            .collect(Collectors.joining("\n"))
        + "\n";
  }

  private static void deleteQuietly(Path dir) {
    try {
      KraftNodes.deleteRecursively(dir);
    } catch (IOException e) {
      // a test's temporary directory: left behind rather than failing the test
    }
  }

  /** One node: its directory, port, proxies and process. */
  private static final class Node {
    final int id;
    final Path dir;
    final int port;
    final TcpProxy proxy;
    final TcpProxy controllerProxy;
    volatile Process process;

    Node(int id, Path dir, int port, TcpProxy proxy, TcpProxy controllerProxy) {
      this.id = id;
      this.dir = dir;
      this.port = port;
      this.proxy = proxy;
      this.controllerProxy = controllerProxy;
    }

    Path logDir() {
      return dir.resolve("data");
    }

    void launch() throws IOException {
      if (process != null && process.isAlive()) {
        throw new IllegalStateException("node " + id + " runs already");
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // Small heaps and a quick JIT: four of these share two cores with the test.
      cmd.add("-Xms64m");
      cmd.add("-Xmx320m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-Dculprit.test.node=" + id);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("kafka.Kafka");
      cmd.add(dir.resolve("server.properties").toString());
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()))
              .start();
    }

    void kill() throws InterruptedException {
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      process = null;
    }
  }
}
