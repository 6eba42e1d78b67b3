package dev.culprit.app;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code culprit process}: only the Kafka Streams processor. */
@Command(
    name = "process",
    mixinStandardHelpOptions = true,
    description = {
      "Runs only the processor: reads every sample topic, turns counters into per-window deltas,"
          + " applies the root-cause rules and publishes culprit.rootcause.packet-loss,"
          + " culprit.rootcause.oom and culprit.incidents.fleet (exactly-once).",
      "Run several with the same --application-id to share the work."
    })
final class ProcessCommand implements Callable<Integer> {

  @Mixin ProcessorOptions processor;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka to read and write (default: the broker of a running `culprit up`/`broker`"
              + " on --data-dir, else 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory (state stores default: DATA_DIR/streams).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    Path dir = dataDir != null ? dataDir : DataDir.defaultDir();
    ProcessorConfig config = processor.config(TailCommand.bootstrap(bootstrapServers, dir), dir);
    try (CulpritProcessor p = new CulpritProcessor(config)) {
      p.start();
      System.err.println(
          "culprit process: "
              + config.applicationId()
              + " reading samples from "
              + config.bootstrapServers()
              + " (window "
              + config.windowSize()
              + ", grace "
              + config.grace()
              + ")");
      Shutdown.awaitSignal();
    }
    return 0;
  }
}
