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
      "Nothing is written to Kafka: live result topics and alerting never see a replay.",
      "TIME is an ISO-8601 instant (2026-11-28T08:00:00Z), epoch milliseconds, or a duration"
          + " meaning that long ago (30m, 2h, 1d)."
    })
final class ReplayCommand implements Callable<Integer> {

  @Mixin RangeOptions range;

  @Option(names = "--json", description = "Print results as JSON lines.")
  boolean json;

  @Mixin ProcessorOptions processor;

  @Mixin KafkaClientOptions kafkaClient;

  @Override
  public Integer call() throws Exception {
    Instant now = Instant.now();
    RangeOptions.Range span = range.range(now);
    Instant start = span.start();
    Instant end = span.end();
    Path dir = kafkaClient.dataDirOrDefault();
    KafkaAccess kafka = kafkaClient.resolve();
    String servers = kafka.bootstrapServers();
    // The replay's own state stores, gone with it: a replay leaves nothing behind.
    Path state = java.nio.file.Files.createTempDirectory("culprit-replay-");
    try {
      return replay(kafka, dir, servers, state, start, end);
    } finally {
      dev.culprit.broker.KraftNodes.deleteRecursively(state);
    }
  }

  private int replay(
      KafkaAccess kafka, Path dir, String servers, Path state, Instant start, Instant end)
      throws Exception {
    ProcessorConfig config =
        processor.config(kafka, dir).withApplicationId("culprit-replay").withStateDir(state);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.err.println("culprit replay: samples from " + start + " to " + end + " at " + servers);
    Replayer.Summary summary =
        new Replayer(kafka, config)
            .replay(
                start,
                end,
                range.hostFilter(),
                result -> {
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
                    out.println(
                        json
                            ? JsonRenderer.toJson((IndexedRecord) result)
                            : EventPrinter.human(result));
                  }
                });
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
