package dev.culprit.bench.fleet;

import dev.culprit.broker.EmbeddedBroker;

/**
 * The benchmark with its own embedded broker, for {@code mvn -pl streams-processor exec:exec
 * -Dbench.args="--hosts 2000 ..."} (test class path: the broker is a test dependency here; the
 * app's {@code culprit bench} does the same with its own broker).
 */
public final class EmbeddedBenchMain {

  private EmbeddedBenchMain() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      System.out.println(
          BenchMain.run(broker.bootstrapServers(), BenchMain.parse(args)).toMarkdown());
    }
  }
}
