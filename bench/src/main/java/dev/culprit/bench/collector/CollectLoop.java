package dev.culprit.bench.collector;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.publish.Publisher;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Sample;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The collector's run loop with the real network sources and a chosen publisher, for measuring
 * where {@code culprit collect}'s CPU goes: {@code none} encodes nothing and drops the records (the
 * sources and run loop alone); {@code kafka} is what {@code culprit collect} does, with producer
 * overrides. Runs until killed.
 *
 * <pre>
 * bench/run CollectLoop publisher=none|kafka \
 *     [bootstrap=HOST:PORT] [sources=interface,protocol,conntrack,qdisc] [netns=GLOB]
 *     [netlink=true] [interval=1s] [producer.KEY=VALUE]...
 * </pre>
 */
public final class CollectLoop {

  private CollectLoop() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    Map<String, String> producer = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String key = arg.substring(0, eq);
      if (key.startsWith("producer.")) {
        producer.put(key.substring("producer.".length()), arg.substring(eq + 1));
      } else {
        a.put(key, arg.substring(eq + 1));
      }
    }
    HostPaths paths = HostPaths.defaults();
    Duration interval = Duration.parse("PT" + a.getOrDefault("interval", "1s").toUpperCase());
    CollectorConfig.Builder b =
        CollectorConfig.builder()
            .interval(interval)
            .hostPaths(paths)
            .spoolDir(Files.createTempDirectory("culprit-collect-loop"))
            .bootstrapServers(a.getOrDefault("bootstrap", "127.0.0.1:9092"))
            .producerOverrides(producer);
    CollectorConfig config = b.build();
    NetworkSourceOptions options =
        NetworkSourceOptions.defaults()
            .withEnabled(
                Set.of(a.getOrDefault("sources", "interface,protocol,conntrack,qdisc").split(",")))
            .withNetlink(Boolean.parseBoolean(a.getOrDefault("netlink", "true")));
    ProcNamespaceFinder finder =
        new ProcNamespaceFinder(
            paths,
            NameFilter.of(List.of(a.getOrDefault("netns", "culprit-b-*")), List.of()),
            pid -> Optional.empty());
    Publisher publisher =
        a.getOrDefault("publisher", "none").equals("kafka")
            ? config.openKafkaPublisher()
            : new DroppingPublisher();
    try (NetworkSources sources = NetworkSources.open(paths, new ProcessCommandRunner(), options);
        Collector collector = new Collector(config, sources.sources(), finder, publisher)) {
      collector.start();
      new CountDownLatch(1).await();
    }
  }

  /** Takes the records and keeps nothing: the cost of everything before publishing. */
  private static final class DroppingPublisher implements Publisher {
    private long records;

    @Override
    public void publish(List<Sample> samples) {
      records += samples.size();
    }

    /** Drops each part as it comes, as the Kafka publisher spools it: nothing held to the end. */
    @Override
    public Cycle startCycle() {
      return new Cycle() {
        @Override
        public void add(List<Sample> samples) {
          DroppingPublisher.this.publish(samples);
        }

        @Override
        public void publish(List<Sample> last) {
          DroppingPublisher.this.publish(last);
        }

        @Override
        public void abandon() {}
      };
    }

    @Override
    public PublisherStats stats() {
      return PublisherStats.NONE;
    }

    @Override
    public boolean flush(Duration timeout) {
      return true;
    }

    @Override
    public void close() {}
  }
}
