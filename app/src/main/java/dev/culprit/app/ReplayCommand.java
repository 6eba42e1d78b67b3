package dev.culprit.app;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.JsonRenderer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.apache.avro.generic.IndexedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code culprit replay}: the processor over retained samples, for postmortems. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-runs the processor's topology over the samples retained between --from and --to and"
          + " prints the root causes and fleet incidents it finds, exactly as they would have been"
          + " found live (event time, deterministic event ids).",
      "In this process (the default) nothing is written to Kafka. With --on-cluster the topology"
          + " runs as a Kafka Streams application of its own on the cluster, shared by every"
          + " `culprit replay --join RUN`, writing to topics of its run (culprit-replay-RUN.*)"
          + " that are deleted when it has printed them: live result topics and alerting never"
          + " see a replay either way.",
      "TIME is an ISO-8601 instant (2026-11-28T08:00:00Z), epoch milliseconds, or a duration"
          + " meaning that long ago (30m, 2h, 1d)."
    })
final class ReplayCommand implements Callable<Integer> {

  @Mixin RangeOptions range;

  @Option(names = "--json", description = "Print results as JSON lines.")
  boolean json;

  @Option(
      names = "--on-cluster",
      description =
          "Run the topology on the cluster instead of in this process: for ranges one thread"
              + " cannot replay in time (hours of a large fleet). Progress goes to stderr.")
  boolean onCluster;

  @Option(
      names = "--join",
      paramLabel = "RUN",
      description =
          "Take a share of run RUN, started elsewhere with --on-cluster (which prints its name),"
              + " until it is done. Prints nothing else; the starting process prints the results.")
  String join;

  @Option(
      names = "--keep-topics",
      description =
          "With --on-cluster: keep the run's topics and group (culprit-replay-RUN*) instead of"
              + " deleting them after printing the results.")
  boolean keepTopics;

  @Mixin ProcessorOptions processor;

  @Mixin KafkaClientOptions kafkaClient;

  @Override
  public Integer call() throws Exception {
    if (join != null) {
      if (onCluster
          || keepTopics
          || json
          || range.from != null
          || range.to != null
          || !range.hosts.isEmpty()) {
        throw new UserException(
            "--join RUN takes the range, hosts, output and rule settings (--window, --grace, …)"
                + " of the run it joins, from its plan: give it only how to reach Kafka (and"
                + " --threads)",
            2);
      }
      KafkaAccess kafka = kafkaClient.resolve();
      Path dir = kafkaClient.dataDirOrDefault();
      new ClusterReplay(kafka, processor.config(kafka, dir), System.err).join(join);
      return 0;
    }
    if (keepTopics && !onCluster) {
      throw new UserException("--keep-topics goes with --on-cluster", 2);
    }
    Instant now = Instant.now();
    RangeOptions.Range span = range.range(now);
    Instant start = span.start();
    Instant end = span.end();
    Path dir = kafkaClient.dataDirOrDefault();
    KafkaAccess kafka = kafkaClient.resolve();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.err.println(
        "culprit replay: samples from "
            + start
            + " to "
            + end
            + " at "
            + kafka.bootstrapServers()
            + (onCluster
                ? ", on the cluster"
                : ", in this process (--on-cluster shares a large range among processes)"));
    if (onCluster) {
      return replayOnCluster(kafka, dir, start, end, out);
    }
    // The replay's own state stores, gone with it: a replay leaves nothing behind.
    Path state = java.nio.file.Files.createTempDirectory("culprit-replay-");
    try {
      return replay(kafka, dir, state, start, end, out);
    } finally {
      dev.culprit.broker.KraftNodes.deleteRecursively(state);
    }
  }

  private int replayOnCluster(
      KafkaAccess kafka, Path dir, Instant start, Instant end, PrintStream out) throws Exception {
    ClusterReplay.Summary s =
        new ClusterReplay(kafka, processor.config(kafka, dir), System.err)
            .start(
                ClusterReplay.newRun(Instant.now()),
                start,
                end,
                new java.util.TreeSet<>(range.hosts),
                keepTopics,
                result -> print(out, result));
    System.err.println(
        "culprit replay: run "
            + s.run()
            + ": "
            + s.records()
            + " records of the range read, "
            + s.results()
            + " results");
    return 0;
  }

  private int replay(
      KafkaAccess kafka, Path dir, Path state, Instant start, Instant end, PrintStream out) {
    ProcessorConfig config =
        processor.config(kafka, dir).withApplicationId("culprit-replay").withStateDir(state);
    Replayer.Summary summary =
        new Replayer(kafka, config)
            .replay(start, end, range.hostFilter(), result -> print(out, result));
    System.err.println(
        "culprit replay: "
            + summary.samples()
            + " samples replayed ("
            + summary.skipped()
            + " of other hosts skipped, "
            + summary.ignored()
            + " records of topics the processor does not read ignored), "
            + summary.results()
            + " results; windows ending after "
            + Instant.ofEpochMilli(Math.max(0, summary.openWindowsAfterMs()))
            + " stay open (no later sample closed them)");
    return 0;
  }

  private void print(PrintStream out, Object result) {
    if (result instanceof DeadLetter d) {
      System.err.println(
          "culprit replay: undecodable sample "
              + d.getSourceTopic()
              + "-"
              + d.getPartition()
              + "@"
              + d.getOffset()
              + ": "
              + d.getReason());
    } else if (result != null) {
      out.println(json ? JsonRenderer.toJson((IndexedRecord) result) : EventPrinter.human(result));
    }
  }

  static Instant parseTime(String value, Instant now) {
    String v = value.trim();
    if (v.matches("\\d{10,}")) {
      return Instant.ofEpochMilli(Long.parseLong(v));
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return now.minus(DurationConverter.parse(v));
      } catch (RuntimeException notDuration) {
        throw new UserException(
            "'"
                + value
                + "' is not a time: use 2026-11-28T08:00:00Z, epoch ms, or a duration"
                + " ago like 30m",
            2);
      }
    }
  }
}
