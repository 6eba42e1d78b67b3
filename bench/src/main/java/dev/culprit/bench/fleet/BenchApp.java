package dev.culprit.bench.fleet;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The process under measurement, started by {@link FleetBench} in its own JVM so its memory is its
 * own: {@code BenchApp full|passthrough BOOTSTRAP APPLICATION_ID STATE_DIR}. Runs until SIGTERM,
 * then closes cleanly.
 */
public final class BenchApp {

  private BenchApp() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4 && args.length != 5) {
      System.err.println(
          "usage: BenchApp full|passthrough BOOTSTRAP APPLICATION_ID STATE_DIR [k=v,k=v]");
      System.exit(2);
    }
    Map<String, String> overrides = new HashMap<>();
    if (args.length == 5 && !args[4].isBlank()) {
      for (String pair : args[4].split(",")) {
        String[] kv = pair.split("=", 2);
        overrides.put(kv[0].strip(), kv[1].strip());
      }
    }
    ProcessorConfig config =
        ProcessorConfig.defaults(args[1])
            .withApplicationId(args[2])
            .withStateDir(Path.of(args[3]))
            .withStreamsOverrides(overrides);
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable app;
    if (args[0].equals("full")) {
      CulpritProcessor processor = new CulpritProcessor(config);
      processor.start();
      app = processor;
    } else if (args[0].equals("passthrough")) {
      KafkaStreams streams =
          new KafkaStreams(PassThroughTopology.build(), CulpritProcessor.properties(config));
      streams.start();
      app = streams::close;
    } else {
      System.err.println("unknown mode " + args[0]);
      System.exit(2);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    app.close();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                }));
    stopped.await();
  }
}
