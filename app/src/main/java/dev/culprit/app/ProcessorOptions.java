package dev.culprit.app;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.ClockReference;
import dev.culprit.processor.lifecycle.LifecycleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The processor's options, shared by {@code culprit up}, {@code process} and {@code replay}. */
final class ProcessorOptions {

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description =
          "Tumbling event-time window in which a host's samples are judged together (default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "2s",
      description =
          "How long after a window ends late samples still count; its causes are emitted then (default: ${DEFAULT-VALUE}).")
  Duration grace;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = ProcessorConfig.DEFAULT_APPLICATION_ID,
      description =
          "Kafka Streams application id: processors with the same id share the work (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Local state stores (default: DATA_DIR/streams).")
  Path stateDir;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Replicas of the processor's internal topics; 3 on a real cluster (default: ${DEFAULT-VALUE}).")
  int replicationFactor;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "1",
      description = "Stream threads in this process (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--end-after",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "A cause not seen in N consecutive windows of its host has ended (default:"
              + " ${DEFAULT-VALUE}).")
  int endAfterWindows;

  @Option(
      names = "--remind-every",
      paramLabel = "N",
      defaultValue = "6",
      description =
          "A lasting cause gets an ONGOING transition every N windows it is seen in (default:"
              + " ${DEFAULT-VALUE}).")
  int remindEveryWindows;

  @Option(
      names = "--max-clock-skew",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description =
          "A sample further ahead of the processor's clock than this comes from a host whose"
              + " clock jumped: it goes to culprit.deadletter instead of moving the processor's"
              + " time (default: ${DEFAULT-VALUE}; a replay judges against the records' Kafka"
              + " timestamps).")
  Duration maxClockSkew;

  @Option(
      names = "--host-silence",
      paramLabel = "DURATION",
      defaultValue = "10m",
      description =
          "A host's windows close by its own samples' time. When its samples stop coming, its"
              + " open windows wait this long (in the time of the other hosts' samples) before"
              + " they are judged with what they have: a collector whose spool bridges an outage"
              + " shorter than this loses no window. Must be longer than --max-clock-skew"
              + " (default: ${DEFAULT-VALUE}).")
  Duration hostSilence;

  ProcessorConfig config(KafkaAccess kafka, Path dataDir) {
    // Security settings at the top level apply to every client Kafka Streams makes.
    Map<String, String> overrides = new HashMap<>(kafka.properties());
    overrides.put("replication.factor", Integer.toString(replicationFactor));
    overrides.put("num.stream.threads", Integer.toString(threads));
    try {
      return ProcessorConfig.defaults(kafka.bootstrapServers())
          .withApplicationId(applicationId)
          .withStateDir(stateDir != null ? stateDir : dataDir.resolve("streams"))
          .withWindow(window, grace)
          .withStreamsOverrides(overrides)
          .withLifecycle(new LifecycleSettings(endAfterWindows, remindEveryWindows))
          .withClockSkew(maxClockSkew, ClockReference.WALL_CLOCK, hostSilence);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), 2);
    }
  }
}
