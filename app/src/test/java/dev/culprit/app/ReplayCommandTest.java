package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A postmortem: samples of two hosts retained in Kafka, one with the seed's random-drop rule,
 * replayed through the processor topology without touching the live result topics.
 */
class ReplayCommandTest {

  static EmbeddedBroker broker;
  static long t0;

  @BeforeAll
  static void retainSamples() throws Exception {
    broker = EmbeddedBroker.startTemporary();
    t0 = (Instant.now().toEpochMilli() / 10_000 - 60) * 10_000; // ten minutes ago, on a window edge
    try (KafkaProducer<String, byte[]> producer =
        OrderedProducer.create(broker.bootstrapServers())) {
      for (int i = 0; i <= 8; i++) {
        long t = t0 + i * 5_000L;
        send(producer, sample("web-1", t, i, 30L * i, 70L * i)); // 30 % dropped at random
        send(producer, sample("web-2", t, i, 0, 100L * i)); // the rule never matches
      }
      producer.flush();
    }
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void replayFindsTheRandomDropOnlyWhereItHappenedAndIsDeterministic() throws Exception {
    String[] range = {"--from", Long.toString(t0), "--to", Long.toString(t0 + 60_000), "--json"};
    Set<Path> stateDirsBefore = replayStateDirs();
    Cli.Run first = replayFromBroker(range);
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(replayStateDirs())
        .as("the replay's state directory removed")
        .isEqualTo(stateDirsBefore);
    List<JsonNode> causes = parse(first.stdout());
    assertThat(causes).isNotEmpty();
    assertThat(causes)
        .allSatisfy(
            c -> {
              assertThat(c.get("host").asText()).isEqualTo("web-1");
              assertThat(c.get("cause").asText()).isEqualTo("FIREWALL_DROP");
              assertThat(c.get("location").asText()).isEqualTo("filter INPUT rule 1");
            });
    assertThat(first.stderr()).contains("18 samples replayed");

    Cli.Run again = replayFromBroker(range);
    assertThat(again.stdout()).as("same input, same output").isEqualTo(first.stdout());

    Cli.Run onlyWeb2 =
        replayFromBroker(
            "--from", Long.toString(t0), "--to", Long.toString(t0 + 60_000), "--host", "web-2");
    assertThat(onlyWeb2.exitCode()).isZero();
    assertThat(onlyWeb2.stdout()).isEmpty();
    assertThat(onlyWeb2.stderr()).contains("9 samples replayed (9 of other hosts skipped,");
  }

  /**
   * The determinism test on what a user records: a real {@code culprit up} (broker with its login,
   * collector of this machine on every topic it writes — softnet, collector health —, processor,
   * transitions), plus a second host sending the seed's random drop in real time, so that live has
   * causes to compare. Replaying the range gives the same root-cause events, ids and all, for every
   * window both closed.
   */
  @Test
  void replayOfARangeRecordedByCulpritUpGivesTheSameCausesAndIdsAsLive(@TempDir Path dataDir)
      throws Exception {
    long before = System.currentTimeMillis();
    Path stdout = dataDir.resolve("up.stdout");
    Path stderr = dataDir.resolve("up.stderr");
    List<String> command = Cli.javaUp(dataDir, "--json", "--every-window", "--interval", "1s");
    Process up = Cli.start(command, stdout, stderr);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // Its own line: the embedded broker's log says "ready" before up has written the data
      // directory's bootstrap file (a run failed on that here).
      while (!Files.readString(stderr).contains("culprit up: ready")
          && up.isAlive()
          && System.nanoTime() < deadline) {
        up.waitFor(200, TimeUnit.MILLISECONDS);
      }
      assertThat(up.isAlive()).as("culprit up runs; stderr: %s", Files.readString(stderr)).isTrue();
      Properties login = new Properties();
      login.putAll(DataDir.readClientProperties(dataDir));
      login.put("bootstrap.servers", DataDir.readBootstrap(dataDir).orElseThrow());

      // A second host with the seed's random drop, one sample a second, in real time.
      String host = "culprit-replay-web";
      long lastSample = 0;
      try (KafkaProducer<String, byte[]> producer = OrderedProducer.create(login)) {
        for (int i = 0; i <= 40; i++) {
          lastSample = System.currentTimeMillis();
          send(producer, sample(host, lastSample, i, 30L * i, 70L * i));
          producer.flush();
          Thread.sleep(1_000); // the collector's pace, not synchronisation
        }
      }
      // Windows whose end plus grace lies a few seconds before the last sample were closed live
      // by the host's own samples, and are inside the replayed range.
      long cutoff = lastSample - 2_000 - 5_000;
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (closedLive(stdout, host, cutoff) < 2 && System.nanoTime() < deadline) {
        up.waitFor(500, TimeUnit.MILLISECONDS);
      }
      List<String> live = causesUpTo(Files.readString(stdout), cutoff);
      assertThat(live)
          .as("live causes of %s; up stderr: %s", host, Files.readString(stderr))
          .anySatisfy(line -> assertThat(line).contains(host).contains("FIREWALL_DROP"));

      List<String> range =
          List.of(
              "replay",
              "--data-dir",
              dataDir.toString(),
              "--from",
              Long.toString(before - 1_000),
              "--to",
              Long.toString(lastSample + 1),
              "--json");
      Cli.Run replay = Cli.run(range.toArray(String[]::new));
      assertThat(replay.exitCode()).as(replay.stderr()).isZero();
      assertThat(causesUpTo(replay.stdout(), cutoff))
          .as("the same events, ids included, as live")
          .containsExactlyInAnyOrderElementsOf(live);
      // Everything up wrote was read, collector health too (the live view's input since issue 14).
      assertThat(replay.stderr())
          .containsPattern("[1-9][0-9]* samples replayed")
          .contains(" 0 records of topics the processor does not read ignored");

      // The same range on the cluster `culprit up` runs (its login, its live processor beside it).
      List<String> onClusterArgs = new ArrayList<>(range);
      onClusterArgs.add("--on-cluster");
      Cli.Run onCluster = Cli.run(onClusterArgs.toArray(String[]::new));
      assertThat(onCluster.exitCode()).as(onCluster.stderr()).isZero();
      assertThat(causesUpTo(onCluster.stdout(), cutoff))
          .as("on the cluster, the same events, ids included, as live")
          .containsExactlyInAnyOrderElementsOf(live);
    } finally {
      up.destroy();
      if (!up.waitFor(60, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
  }

  private static int closedLive(Path stdout, String host, long cutoff) throws Exception {
    return (int)
        causesUpTo(Files.readString(stdout), cutoff).stream().filter(l -> l.contains(host)).count();
  }

  /** The root-cause JSON lines of windows ending by {@code cutoffMs}, as text. */
  private static List<String> causesUpTo(String stdout, long cutoffMs) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : stdout.lines().toList()) {
      JsonNode node = new ObjectMapper().readTree(line);
      if (node.has("eventId")
          && node.has("windowEndMs")
          && node.get("windowEndMs").asLong() <= cutoffMs) {
        out.add(node.toString());
      }
    }
    return out;
  }

  /**
   * A range on the cluster gives what the in-process driver gives, here one that ends amid the
   * retained samples (the records past it are in the sample partitions the run reads and must
   * neither enter nor close a window), and the run leaves no topic or group behind.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 4, unit = TimeUnit.MINUTES)
  void onTheClusterGivesWhatThisProcessGivesAndLeavesNothingBehind() throws Exception {
    List<String> before = replayTopicsAndGroups();
    // The whole retained range here, in this process; the range cut amid the samples on both.
    String[] all = {"--from", Long.toString(t0), "--to", Long.toString(t0 + 60_000), "--json"};
    int allResults = replayFromBroker(all).stdout().lines().toList().size();
    String[] range = {"--from", Long.toString(t0), "--to", Long.toString(t0 + 35_000), "--json"};
    Cli.Run local = replayFromBroker(range);
    assertThat(local.exitCode()).as(local.stderr()).isZero();
    assertThat(local.stdout().lines().toList())
        .as("the range ends amid the samples: fewer results")
        .isNotEmpty()
        .hasSizeLessThan(allResults);
    List<String> argv = new ArrayList<>(List.of(range));
    argv.add("--on-cluster");
    Cli.Run cluster = replayFromBroker(argv.toArray(String[]::new));
    assertThat(cluster.exitCode()).as(cluster.stderr()).isZero();
    assertThat(sortedLines(cluster.stdout()))
        .as(cluster.stderr())
        .isEqualTo(sortedLines(local.stdout()));
    assertThat(cluster.stderr())
        .contains("culprit replay --join ")
        .contains("records processed")
        .contains("deleted the run's");
    assertThat(replayTopicsAndGroups()).as("left behind").isEqualTo(before);

    // One host of two: the other host's partition has nothing the run processes, and the run
    // ends all the same (Kafka Streams commits past the records it drops), with what the
    // in-process replay gives.
    String[] web1 = {
      "--from", Long.toString(t0), "--to", Long.toString(t0 + 60_000), "--json", "--host", "web-1"
    };
    List<String> web1Cluster = new ArrayList<>(List.of(web1));
    web1Cluster.add("--on-cluster");
    Cli.Run oneHost = replayFromBroker(web1Cluster.toArray(String[]::new));
    assertThat(oneHost.exitCode()).as(oneHost.stderr()).isZero();
    assertThat(sortedLines(oneHost.stdout()))
        .isNotEmpty()
        .isEqualTo(sortedLines(replayFromBroker(web1).stdout()));
    assertThat(replayTopicsAndGroups()).as("left behind").isEqualTo(before);
  }

  @Test
  void aJoinTakesNoRangeOfItsOwn() {
    Cli.Run run = replayFromBroker("--join", "20261207-101500-3f2a", "--from", "1h");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--join RUN takes the range");
    Cli.Run none = replayFromBroker("--join", "20261207-101500-3f2a");
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.stderr()).contains("no replay run 20261207-101500-3f2a");
  }

  /**
   * A second process joins a run by the name the first printed; both end when the run is done, the
   * first prints what a replay in one process prints, and nothing of the run stays on the cluster.
   */
  @Test
  @org.junit.jupiter.api.Timeout(
      value = 4,
      unit = TimeUnit.MINUTES,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aSecondProcessJoinsTheRunItsStarterNamed(@TempDir Path dir) throws Exception {
    List<String> before = replayTopicsAndGroups();
    String[] range = {
      "--from", Long.toString(t0), "--to", Long.toString(t0 + 60_000), "--json",
    };
    Cli.Run local = replayFromBroker(range);
    List<String> startArgs = new ArrayList<>(List.of("replay", "--bootstrap-servers"));
    startArgs.add(broker.bootstrapServers());
    startArgs.addAll(List.of(range));
    startArgs.add("--on-cluster");
    // Kept, so that a joiner that starts after the run ended still finds it (and ends at once);
    // deleted below.
    startArgs.add("--keep-topics");
    Path startOut = dir.resolve("start.out");
    Process starter =
        new ProcessBuilder(Cli.javaMain(startArgs.toArray(String[]::new)))
            .redirectOutput(startOut.toFile())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    Process joiner = null;
    try {
      var err =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  starter.getErrorStream(), java.nio.charset.StandardCharsets.UTF_8));
      StringBuilder starterErr = new StringBuilder();
      String run = null;
      String line;
      while (run == null && (line = err.readLine()) != null) {
        starterErr.append(line).append('\n');
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("culprit replay --join ([0-9a-z-]+)").matcher(line);
        if (m.find()) {
          run = m.group(1);
        }
      }
      assertThat(run).as(starterErr.toString()).isNotNull();
      Path joinErr = dir.resolve("join.err");
      joiner =
          new ProcessBuilder(
                  Cli.javaMain(
                      "replay", "--bootstrap-servers", broker.bootstrapServers(), "--join", run))
              .redirectErrorStream(true)
              .redirectOutput(joinErr.toFile())
              .start();
      while ((line = err.readLine()) != null) {
        starterErr.append(line).append('\n');
      }
      assertThat(starter.waitFor(3, TimeUnit.MINUTES)).as(starterErr.toString()).isTrue();
      assertThat(starter.exitValue()).as(starterErr.toString()).isZero();
      assertThat(joiner.waitFor(2, TimeUnit.MINUTES)).as("the joiner ended").isTrue();
      String joined = Files.readString(joinErr);
      assertThat(joiner.exitValue()).as(joined).isZero();
      assertThat(joined).contains("joined run " + run);
      assertThat(sortedLines(Files.readString(startOut)))
          .isNotEmpty()
          .isEqualTo(sortedLines(local.stdout()));
      assertThat(starterErr.toString()).contains("run " + run + " kept");
      Properties p = new Properties();
      p.put("bootstrap.servers", broker.bootstrapServers());
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(p)) {
        new ClusterReplay(
                new KafkaAccess(broker.bootstrapServers(), java.util.Map.of()),
                dev.culprit.processor.ProcessorConfig.defaults(broker.bootstrapServers()),
                System.err)
            .delete(admin, ClusterReplay.PREFIX + run);
      }
      assertThat(replayTopicsAndGroups()).as("left behind").isEqualTo(before);
    } finally {
      starter.destroyForcibly();
      if (joiner != null) {
        joiner.destroyForcibly();
      }
    }
  }

  private static List<String> sortedLines(String out) {
    return out.lines().sorted().toList();
  }

  /** Topics and consumer groups of replay runs on the broker. */
  private static List<String> replayTopicsAndGroups() throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(p)) {
      List<String> left = new ArrayList<>();
      admin.listTopics().names().get().stream()
          .filter(t -> t.startsWith(ClusterReplay.PREFIX))
          .forEach(left::add);
      admin.listGroups().all().get().stream()
          .map(g -> g.groupId())
          .filter(g -> g.startsWith(ClusterReplay.PREFIX))
          .forEach(left::add);
      return left;
    }
  }

  @Test
  void aRangeThatEndsBeforeItStartsIsAUsageError() {
    Cli.Run run = replayFromBroker("--from", "1h", "--to", "2h");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("is not before --to");
  }

  /** The replays' temporary state directories now in java.io.tmpdir. */
  private static Set<Path> replayStateDirs() throws java.io.IOException {
    try (java.util.stream.Stream<Path> all =
        java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("culprit-replay-"))
          .collect(java.util.stream.Collectors.toSet());
    }
  }

  private static Cli.Run replayFromBroker(String... args) {
    List<String> argv = new ArrayList<>(List.of("replay", "--bootstrap-servers"));
    argv.add(broker.bootstrapServers());
    argv.addAll(List.of(args));
    return Cli.run(argv.toArray(String[]::new));
  }

  private static List<JsonNode> parse(String stdout) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : stdout.lines().toList()) {
      out.add(new ObjectMapper().readTree(line));
    }
    return out;
  }

  private static void send(KafkaProducer<String, byte[]> producer, FilterSample s) {
    producer.send(
        new ProducerRecord<>(
            Topics.FILTER.name(),
            null,
            s.getSampleTimeMs(),
            s.getHost(),
            Topics.FILTER.valueSerde().encode(s)));
  }

  private static FilterSample sample(String host, long t, long seq, long dropped, long accepted) {
    String spec = "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";
    FirewallRule rule =
        FirewallRule.newBuilder()
            .setBackend("iptables-nft")
            .setFamily("ipv4")
            .setTable("filter")
            .setChain("INPUT")
            .setPosition(1)
            .setTarget("DROP")
            .setSpec(spec)
            .setStatisticMode("random")
            .setStatisticProbability(0.3)
            .setPackets(dropped)
            .setBytes(dropped * 60)
            .build();
    ChainPolicy policy =
        ChainPolicy.newBuilder()
            .setBackend("iptables-nft")
            .setFamily("ipv4")
            .setTable("filter")
            .setChain("INPUT")
            .setPolicy("ACCEPT")
            .setPackets(accepted)
            .setBytes(accepted * 60)
            .build();
    return FilterSample.newBuilder()
        .setHost(host)
        .setNetns("")
        .setSampleTimeMs(t)
        .setCollectorId("c-" + host)
        .setSeq(seq)
        .setBackends(List.of("iptables-nft"))
        .setRules(List.of(rule))
        .setPolicies(List.of(policy))
        .build();
  }
}
