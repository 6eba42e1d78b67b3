package dev.culprit.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.CulpritTopology;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.ReplayScope;
import dev.culprit.processor.decode.ClockReference;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.Topology;

/**
 * {@code culprit replay --on-cluster}: the live topology as a Kafka Streams application of its own
 * on the cluster, for ranges too large for one thread, shared by every {@code culprit replay --join
 * RUN} process.
 *
 * <p>A run is named {@code culprit-replay-RUN}: its application id (consumer group, state stores'
 * internal topics) and the prefix of every topic it creates. Its plan topic holds the range, the
 * hosts and, per sample partition, the offsets where the range starts and ends, fixed when the run
 * starts; its result topics take the results the live processor writes to the contract's result
 * topics, which a replay never touches. The sample topics are read where they are, from the range's
 * first offsets (committed for the group before any instance starts); a record past the range is
 * dropped before it moves stream time ({@link ReplayScope}).
 *
 * <p>The run is done when every sample partition's committed offset has reached the range's end
 * and, twice in a row with nothing written in between, no partition of a topic the run feeds itself
 * (repartition topics, the fleet incidents the view reads back) holds a record past its committed
 * offset. The instance that started the run then prints the results and deletes the run's topics
 * and group.
 */
final class ClusterReplay {

  /** A run's name: what {@code --join} takes. */
  static final Pattern RUN = Pattern.compile("[0-9a-z][0-9a-z-]{0,60}");

  static final String PREFIX = "culprit-replay-";

  private static final List<Topic<?>> RESULTS =
      List.of(
          Topics.ROOTCAUSE_PACKET_LOSS,
          Topics.ROOTCAUSE_OOM,
          Topics.FLEET_INCIDENTS,
          Topics.ROOTCAUSE_TRANSITIONS,
          Topics.DEAD_LETTER);

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  /** What a run replays, as its plan topic holds it. */
  record Plan(
      String run,
      long fromMs,
      long toMs,
      Set<String> hosts,
      Map<TopicPartition, Long> starts,
      Map<TopicPartition, Long> stops,
      Map<String, Long> settings) {

    /** The settings of the starter's topology that its results depend on, for its joiners. */
    static Map<String, Long> settingsOf(ProcessorConfig c) {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("windowMs", c.windowSize().toMillis());
      m.put("graceMs", c.grace().toMillis());
      m.put("maxClockSkewMs", c.maxClockSkew().toMillis());
      m.put("hostSilenceMs", c.hostSilence().toMillis());
      m.put("endAfterWindows", (long) c.lifecycle().endAfterWindows());
      m.put("reminderEveryWindows", (long) c.lifecycle().reminderEveryWindows());
      return m;
    }

    /** {@code c} with the starter's settings: every instance of a run runs one topology. */
    ProcessorConfig applyTo(ProcessorConfig c) {
      return c.withWindow(
              Duration.ofMillis(settings.get("windowMs")),
              Duration.ofMillis(settings.get("graceMs")))
          .withClockSkew(
              Duration.ofMillis(settings.get("maxClockSkewMs")),
              ClockReference.RECORD_TIMESTAMP,
              Duration.ofMillis(settings.get("hostSilenceMs")))
          .withLifecycle(
              new dev.culprit.processor.lifecycle.LifecycleSettings(
                  settings.get("endAfterWindows").intValue(),
                  settings.get("reminderEveryWindows").intValue()));
    }

    String applicationId() {
      return PREFIX + run;
    }

    long records() {
      long n = 0;
      for (var e : stops.entrySet()) {
        n += e.getValue() - starts.get(e.getKey());
      }
      return n;
    }

    byte[] toJson() {
      ObjectNode root = JSON.createObjectNode();
      root.put("run", run);
      root.put("fromMs", fromMs);
      root.put("toMs", toMs);
      ArrayNode h = root.putArray("hosts");
      hosts.forEach(h::add);
      ArrayNode parts = root.putArray("partitions");
      for (var e : stops.entrySet()) {
        ObjectNode p = parts.addObject();
        p.put("topic", e.getKey().topic());
        p.put("partition", e.getKey().partition());
        p.put("start", starts.get(e.getKey()));
        p.put("stop", e.getValue());
      }
      ObjectNode set = root.putObject("settings");
      settings.forEach(set::put);
      return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The plan in {@code bytes}; null when they are not one this build can read. */
    static Plan fromJson(byte[] bytes) {
      try {
        return parse(bytes);
      } catch (java.io.IOException | RuntimeException e) {
        return null;
      }
    }

    private static Plan parse(byte[] bytes) throws java.io.IOException {
      JsonNode root = JSON.readTree(bytes);
      Set<String> hosts = new TreeSet<>();
      root.get("hosts").forEach(h -> hosts.add(h.asText()));
      Map<TopicPartition, Long> starts = new LinkedHashMap<>();
      Map<TopicPartition, Long> stops = new LinkedHashMap<>();
      for (JsonNode p : root.get("partitions")) {
        TopicPartition tp = new TopicPartition(p.get("topic").asText(), p.get("partition").asInt());
        starts.put(tp, p.get("start").asLong());
        stops.put(tp, p.get("stop").asLong());
      }
      Map<String, Long> settings = new LinkedHashMap<>();
      root.get("settings")
          .fields()
          .forEachRemaining(f -> settings.put(f.getKey(), f.getValue().asLong()));
      for (String key : settingsOf(ProcessorConfig.defaults("-")).keySet()) {
        if (!settings.containsKey(key)) {
          throw new java.io.IOException("no " + key);
        }
      }
      return new Plan(
          root.get("run").asText(),
          root.get("fromMs").asLong(),
          root.get("toMs").asLong(),
          hosts,
          starts,
          stops,
          settings);
    }
  }

  /** What one run produced, for the instance that started it. */
  record Summary(String run, long records, long results) {}

  private final KafkaAccess kafka;
  private final ProcessorConfig config;
  private final PrintStream progress;

  /** This process's instance of the run while it runs, for the shutdown hook. */
  private volatile CulpritProcessor running;

  ClusterReplay(KafkaAccess kafka, ProcessorConfig config, PrintStream progress) {
    this.kafka = kafka;
    this.config = config.withClockSkew(config.maxClockSkew(), ClockReference.RECORD_TIMESTAMP);
    this.progress = progress;
    // Records past the range are dropped with a WARN each from Kafka Streams' record queue (the
    // live samples arriving after it, other hosts' samples), which is what a run is meant to do.
    // Before Kafka Streams makes that logger.
    System.setProperty(
        "org.slf4j.simpleLogger.log.org.apache.kafka.streams.processor.internals.RecordQueue",
        "error");
  }

  /**
   * Properties of a consumer of the run: it never makes a topic it looks for (a mistyped run, a
   * missing sample topic) on a cluster that creates topics on first use.
   */
  private Properties consumerProperties() {
    Properties p = kafka.clientProperties();
    p.put("allow.auto.create.topics", "false");
    return p;
  }

  /** A new run's name: its start time (UTC) and a random suffix. */
  static String newRun(Instant now) {
    return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now)
        + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /**
   * Starts run {@code run} over {@code from <= timestamp < to} of {@code hosts} (empty: all),
   * processes its share until the run is done, hands every result (root cause, fleet incident, dead
   * letter) to {@code results} in time order, and deletes the run's topics unless {@code keep}.
   */
  Summary start(
      String run,
      Instant from,
      Instant to,
      Set<String> hosts,
      boolean keep,
      Consumer<Object> results)
      throws Exception {
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      Plan plan = plan(run, from, to, hosts);
      ReplayScope scope = scope(plan);
      boolean finished = false;
      // Interrupted (Ctrl-C, SIGTERM): the run's topics and group go with it all the same.
      Thread cleanUp =
          new Thread(
              () -> {
                leaveIfRunning();
                try (Admin last = Admin.create(kafka.clientProperties())) {
                  delete(last, plan.applicationId());
                }
              },
              "culprit-replay-cleanup");
      if (!keep) {
        Runtime.getRuntime().addShutdownHook(cleanUp);
      }
      try {
        createTopics(admin, plan, scope);
        Map<TopicPartition, OffsetAndMetadata> starts = new HashMap<>();
        plan.starts().forEach((p, o) -> starts.put(p, new OffsetAndMetadata(o)));
        admin.alterConsumerGroupOffsets(plan.applicationId(), starts).all().get();
        // Only now can a --join find the run: its instances never start without the offsets.
        writePlan(plan, scope);
        progress.println(
            "culprit replay: run "
                + run
                + " on the cluster: "
                + plan.records()
                + " records in "
                + plan.stops().size()
                + " sample partitions; more processes share it with `culprit replay --join "
                + run
                + "`");
        process(admin, plan, scope, config, true);
        long n = readResults(scope, results);
        finished = true;
        return new Summary(run, plan.records(), n);
      } finally {
        if (keep) {
          progress.println(
              "culprit replay: run "
                  + run
                  + " kept: its topics start with "
                  + plan.applicationId()
                  + (finished ? "" : " (it did not finish)"));
        } else {
          delete(admin, plan.applicationId());
          try {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs, and finds nothing left to delete
          }
        }
      }
    }
  }

  /** Joins run {@code run} started elsewhere and processes its share until it is done. */
  void join(String run) throws Exception {
    if (!RUN.matcher(run).matches()) {
      throw new UserException("'" + run + "' is not the name of a replay run", 2);
    }
    Plan plan = readPlan(run);
    // Interrupted (Ctrl-C): leave the group at once, so the others take this share now.
    Thread leaveOnExit = new Thread(this::leaveIfRunning, "culprit-replay-leave");
    Runtime.getRuntime().addShutdownHook(leaveOnExit);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      progress.println(
          "culprit replay: joined run "
              + run
              + " ("
              + Instant.ofEpochMilli(plan.fromMs())
              + " to "
              + Instant.ofEpochMilli(plan.toMs())
              + ", "
              + plan.records()
              + " records)");
      process(admin, plan, scope(plan), plan.applyTo(config), false);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(leaveOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs
      }
    }
  }

  private ReplayScope scope(Plan plan) {
    return new ReplayScope(plan.applicationId() + ".", plan.stops(), plan.toMs(), plan.hosts());
  }

  /**
   * The range's first and end offsets per sample partition: from the first record stamped at or
   * after {@code from} to the first stamped at or after {@code to} (a record further than the
   * allowed clock skew past {@code to} is a host's clock ahead: then to the log's end as of now).
   */
  Plan plan(String run, Instant from, Instant to, Set<String> hosts) {
    Topology topology = CulpritTopology.build(config);
    Set<String> read = Replayer.sourceTopics(topology);
    Properties p = consumerProperties();
    p.put("default.api.timeout.ms", "15000");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (Topic<?> t : Topics.samples()) {
        if (!read.contains(t.name())) {
          continue;
        }
        var infos = consumer.partitionsFor(t.name());
        if (infos == null || infos.isEmpty()) {
          missing.add(t.name());
        } else {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
      }
      if (partitions.isEmpty()) {
        throw new UserException("none of the sample topics exists; is this a culprit cluster?");
      }
      if (!missing.isEmpty()) {
        // The topology reads every one: Kafka Streams would stop on the first it lacks.
        throw new UserException(
            "the cluster lacks the sample topics "
                + missing
                + " (set up by an older culprit?): replay in this process instead (without"
                + " --on-cluster), which reads the topics there are");
      }
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> fromQuery = new HashMap<>();
      Map<TopicPartition, Long> toQuery = new HashMap<>();
      partitions.forEach(
          tp -> {
            fromQuery.put(tp, from.toEpochMilli());
            toQuery.put(tp, to.toEpochMilli());
          });
      Map<TopicPartition, OffsetAndTimestamp> firsts = consumer.offsetsForTimes(fromQuery);
      Map<TopicPartition, OffsetAndTimestamp> lasts = consumer.offsetsForTimes(toQuery);
      Map<TopicPartition, Long> starts = new LinkedHashMap<>();
      Map<TopicPartition, Long> stops = new LinkedHashMap<>();
      long skewMs = config.maxClockSkew().toMillis();
      for (TopicPartition tp : partitions) {
        long end = ends.get(tp);
        OffsetAndTimestamp first = firsts.get(tp);
        long start = first == null ? end : first.offset();
        OffsetAndTimestamp last = lasts.get(tp);
        long stop =
            last == null || last.timestamp() - to.toEpochMilli() > skewMs ? end : last.offset();
        starts.put(tp, start);
        stops.put(tp, Math.max(start, stop));
      }
      return new Plan(
          run,
          from.toEpochMilli(),
          to.toEpochMilli(),
          new TreeSet<>(hosts),
          starts,
          stops,
          Plan.settingsOf(config));
    }
  }

  private void createTopics(Admin admin, Plan plan, ReplayScope scope) throws Exception {
    List<String> live = new ArrayList<>();
    RESULTS.forEach(t -> live.add(t.name()));
    Map<String, TopicDescription> described = new HashMap<>();
    for (String name : live) {
      try {
        described.putAll(admin.describeTopics(List.of(name)).allTopicNames().get());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    // As many partitions and replicas as the live result topics: the same keys land on the same
    // partitions, and a cluster whose min.insync.replicas needs replicas can take the writes.
    int partitionsDefault = 1;
    short replicasDefault = 1;
    for (TopicDescription d : described.values()) {
      partitionsDefault = d.partitions().size();
      replicasDefault = (short) d.partitions().get(0).replicas().size();
      break;
    }
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(planTopic(plan.run()), 1, replicasDefault));
    for (Topic<?> t : RESULTS) {
      TopicDescription d = described.get(t.name());
      int partitions = d == null ? partitionsDefault : d.partitions().size();
      short replicas =
          d == null ? replicasDefault : (short) d.partitions().get(0).replicas().size();
      topics.add(new NewTopic(scope.resultTopic(t), partitions, replicas));
    }
    admin.createTopics(topics).all().get();
  }

  static String planTopic(String run) {
    return PREFIX + run + ".plan";
  }

  private void writePlan(Plan plan, ReplayScope scope) throws Exception {
    Properties p = kafka.clientProperties();
    p.put("acks", "all");
    p.put("max.in.flight.requests.per.connection", "1");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(planTopic(plan.run()), plan.run(), plan.toJson())).get();
    }
  }

  private Plan readPlan(String run) throws Exception {
    Properties p = consumerProperties();
    p.put("default.api.timeout.ms", "15000");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(planTopic(run));
      if (infos == null || infos.isEmpty()) {
        throw new UserException(
            "no replay run " + run + " on the cluster (no topic " + planTopic(run) + ")", 1);
      }
      TopicPartition tp = new TopicPartition(planTopic(run), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Plan plan = Plan.fromJson(r.value());
          if (plan == null || !plan.run().equals(run)) {
            throw new UserException(
                "the plan of replay run "
                    + run
                    + " is not one this culprit can read (another"
                    + " version started it?)",
                1);
          }
          return plan;
        }
      }
      throw new UserException("replay run " + run + " has no plan yet; try again", 1);
    }
  }

  /** Runs an instance of the run's application until the run is done. */
  private void process(
      Admin admin, Plan plan, ReplayScope scope, ProcessorConfig base, boolean starter)
      throws Exception {
    java.nio.file.Path state = java.nio.file.Files.createTempDirectory("culprit-replay-state-");
    ProcessorConfig runConfig =
        base.withApplicationId(plan.applicationId()).withStateDir(state).withReplayScope(scope);
    long started = System.nanoTime();
    // Quiet for this long, with nothing written, before the run is done: three commit intervals,
    // and two of the fleet windows' wall-clock punctuations, whose late votes' updates come in a
    // transaction of their own after all input is committed.
    long quietNanos =
        Duration.ofMillis(
                Math.max(3_000, 2 * Math.max(1_000, base.windowSize().toMillis() / 10) + 1_000))
            .toNanos();
    CulpritProcessor processor = new CulpritProcessor(runConfig);
    running = processor;
    try (Progress check = new Progress(plan, scope)) {
      processor.start();
      long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      long quietSince = -1;
      Map<TopicPartition, Long> lastEnds = Map.of();
      while (true) {
        // The starter deletes the run's topics once it is done: a joined process ends with it.
        if (!check.planExists(admin)) {
          if (starter) {
            throw new UserException(
                "run " + plan.run() + " was deleted by someone else while it ran", 1);
          }
          progress.println("culprit replay: run " + plan.run() + " was ended elsewhere");
          return;
        }
        if (processor.failure().isDone()) {
          if (!check.planExists(admin)) {
            continue;
          }
          throw new IllegalStateException(
              "the replay's processor failed", processor.failure().getNow(null));
        }
        Progress.State s;
        try {
          s = check.state(admin);
        } catch (ExecutionException | org.apache.kafka.common.KafkaException e) {
          if (!check.planExists(admin)) {
            continue;
          }
          throw e;
        }
        if (System.nanoTime() >= nextReport) {
          progress.printf(
              "culprit replay: run %s: %d %% of %d records after %d s%n",
              plan.run(),
              plan.records() == 0 ? 100 : s.done() * 100 / plan.records(),
              plan.records(),
              Duration.ofNanos(System.nanoTime() - started).toSeconds());
          nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        if (!s.caughtUp()) {
          quietSince = -1;
        } else if (quietSince < 0 || !s.ends().equals(lastEnds)) {
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince >= quietNanos) {
          progress.printf(
              "culprit replay: run %s: all %d records processed in %d s%n",
              plan.run(),
              plan.records(),
              Duration.ofNanos(System.nanoTime() - started).toSeconds());
          return;
        }
        lastEnds = s.ends();
        Thread.sleep(500);
      }
    } finally {
      // Leaving the group at once, also when the run failed: its group can then be deleted.
      leave(processor);
      processor.close();
      running = null;
      dev.culprit.broker.KraftNodes.deleteRecursively(state);
    }
  }

  /** Leaves the group with this process's instance of the run, if one runs (a shutdown hook). */
  private void leaveIfRunning() {
    CulpritProcessor instance = running;
    if (instance != null) {
      leave(instance);
    }
  }

  /**
   * Closes the instance leaving the group at once: Kafka Streams otherwise stays a member until its
   * session times out, and the group of a finished run could not be deleted until then.
   */
  private static void leave(CulpritProcessor processor) {
    processor
        .kafkaStreams()
        .close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
  }

  /** Where a run stands, read from its group's committed offsets and its topics' ends. */
  private final class Progress implements AutoCloseable {
    record State(long done, boolean caughtUp, Map<TopicPartition, Long> ends) {}

    private final Plan plan;
    private final ReplayScope scope;
    private final KafkaConsumer<byte[], byte[]> probe;

    Progress(Plan plan, ReplayScope scope) {
      this.plan = plan;
      this.scope = scope;
      Properties p = consumerProperties();
      p.put("isolation.level", "read_committed");
      p.put("enable.auto.commit", "false");
      p.put("default.api.timeout.ms", "15000");
      this.probe = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    boolean planExists(Admin admin) throws Exception {
      return admin.listTopics().names().get().contains(planTopic(plan.run()));
    }

    State state(Admin admin) throws Exception {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(plan.applicationId())
              .partitionsToOffsetAndMetadata()
              .get();
      long done = 0;
      boolean samplesDone = true;
      // Kafka Streams commits the offset after the records it skipped too (those the range leaves
      // out): a partition whose last records are other hosts' still reaches its end (a test pins
      // it).
      for (var e : plan.stops().entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        long start = plan.starts().get(e.getKey());
        long at = c == null ? start : c.offset();
        done += Math.max(0, Math.min(at, e.getValue()) - start);
        samplesDone &= at >= e.getValue();
      }
      if (!samplesDone) {
        return new State(done, false, Map.of());
      }
      // The topics the run writes: an open transaction on any of them is work in flight (a
      // punctuation's results too); a record past the committed offset of one the run reads back
      // (repartition topics, the fleet incidents of the view) is work left.
      Set<String> consumed = new LinkedHashSet<>();
      Set<String> written = new LinkedHashSet<>();
      for (String name : admin.listTopics().names().get()) {
        if (name.startsWith(plan.applicationId() + "-") && name.endsWith("-repartition")) {
          consumed.add(name);
        }
      }
      consumed.add(scope.resultTopic(Topics.FLEET_INCIDENTS));
      written.addAll(consumed);
      RESULTS.forEach(t -> written.add(scope.resultTopic(t)));
      List<TopicPartition> partitions = new ArrayList<>();
      for (var d : admin.describeTopics(written).allTopicNames().get().values()) {
        d.partitions().forEach(i -> partitions.add(new TopicPartition(d.name(), i.partition())));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var high =
          admin
              .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
              .all()
              .get();
      var stable =
          admin
              .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get();
      Map<TopicPartition, Long> ends = new HashMap<>();
      for (TopicPartition tp : partitions) {
        ends.put(tp, high.get(tp).offset());
        if (high.get(tp).offset() != stable.get(tp).offset()) {
          return new State(done, false, ends);
        }
      }
      for (TopicPartition tp : partitions) {
        if (!consumed.contains(tp.topic())) {
          continue;
        }
        OffsetAndMetadata c = committed.get(tp);
        long at = c == null ? 0 : c.offset();
        long end = ends.get(tp);
        if (at >= end) {
          continue;
        }
        // Transaction markers (and records deleted once consumed) lie between a committed offset
        // and the end: only a record read there counts.
        probe.assign(List.of(tp));
        probe.seek(tp, at);
        while (probe.position(tp) < end) {
          if (!probe.poll(Duration.ofMillis(200)).isEmpty()) {
            return new State(done, false, ends);
          }
        }
      }
      return new State(done, true, ends);
    }

    @Override
    public void close() {
      probe.close();
    }
  }

  /** Hands the run's results to {@code results} in time order; returns how many. */
  private long readResults(ReplayScope scope, Consumer<Object> results) {
    Properties p = consumerProperties();
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("default.api.timeout.ms", "15000");
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    Map<String, Topic<?>> byName = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (Topic<?> t : RESULTS) {
        // Transitions are the lifecycle's bookkeeping: a replay prints each window's causes.
        if (t == Topics.ROOTCAUSE_TRANSITIONS) {
          continue;
        }
        String name = scope.resultTopic(t);
        byName.put(name, t);
        consumer
            .partitionsFor(name)
            .forEach(i -> partitions.add(new TopicPartition(name, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Set<TopicPartition> open = new HashSet<>(partitions);
      while (!open.isEmpty()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          all.add(r);
        }
        open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
      }
    }
    all.sort(
        Comparator.<ConsumerRecord<String, byte[]>>comparingLong(ConsumerRecord::timestamp)
            .thenComparing(ConsumerRecord::topic)
            .thenComparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    List<Object> decoded = new ArrayList<>(all.size());
    for (ConsumerRecord<String, byte[]> r : all) {
      Topic<?> t = byName.get(r.topic());
      decoded.add(t.valueSerde().deserialize(t.name(), r.value()));
    }
    List<Object> last = lastVersions(decoded);
    last.forEach(results);
    return last.size();
  }

  /**
   * {@code results} (in time order) with only the last version of each fleet window: one that
   * closed in its task before every host's vote reached it is sent again with the late votes (as
   * live), and its last version is the fleet's verdict, the one the in-process replay, reading
   * every partition in one time order, sends once.
   */
  static List<Object> lastVersions(List<Object> results) {
    List<Object> kept = new ArrayList<>(results);
    Map<String, Integer> lastIncident = new HashMap<>();
    for (int i = 0; i < kept.size(); i++) {
      if (kept.get(i) instanceof FleetIncident f) {
        Integer earlier = lastIncident.put(f.getSignature() + "@" + f.getWindowStartMs(), i);
        if (earlier != null) {
          kept.set(earlier, null);
        }
      }
    }
    kept.removeIf(java.util.Objects::isNull);
    return kept;
  }

  /** Deletes every topic of the run and its consumer group. */
  void delete(Admin admin, String applicationId) {
    try {
      // The plan first: joined processes see it gone and leave the group; only then the topics
      // they read and write, which a member still rebalancing could make again.
      String plan = applicationId + ".plan";
      if (admin.listTopics().names().get().contains(plan)) {
        admin.deleteTopics(List.of(plan)).all().get();
      }
      long membersDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < membersDeadline && hasMembers(admin, applicationId)) {
        Thread.sleep(250);
      }
      List<String> topics = new ArrayList<>();
      for (String name : admin.listTopics().names().get()) {
        if (!name.equals(plan)
            && (name.startsWith(applicationId + ".") || name.startsWith(applicationId + "-"))) {
          topics.add(name);
        }
      }
      admin.deleteTopics(topics).all().get();
      // The group may still have a member leaving (a --join process): retried for a while.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try {
          admin.deleteConsumerGroups(List.of(applicationId)).all().get();
          break;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(500);
        }
      }
      progress.println(
          "culprit replay: deleted the run's " + (topics.size() + 1) + " topics and its group");
    } catch (Exception e) {
      progress.println(
          "culprit replay: could not delete everything of "
              + applicationId
              + " (delete its topics and group by hand): "
              + e);
    }
  }

  private static boolean hasMembers(Admin admin, String group) throws Exception {
    try {
      var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      return d != null && !d.members().isEmpty();
    } catch (ExecutionException e) {
      return false; // no such group (any more)
    }
  }
}
