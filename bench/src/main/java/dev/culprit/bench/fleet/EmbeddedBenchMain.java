package dev.culprit.bench.fleet;

import dev.culprit.broker.EmbeddedBroker;

/**
 * The fleet benchmark with its own embedded broker: {@code bench/run EmbeddedBenchMain --hosts 2000
 * ...} ({@link BenchMain} runs it against a broker you give it).
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
