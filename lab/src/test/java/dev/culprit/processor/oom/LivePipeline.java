package dev.culprit.processor.oom;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.source.container.ContainerSourceConfig;
import dev.culprit.collector.source.container.ContainerSources;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.ResultFeed;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The whole real pipeline on this machine: an embedded KRaft broker, the collector running the
 * container and kernel sources every second, the processor, and a consumer of {@code
 * culprit.rootcause.oom}. Closes everything it started, in reverse order.
 */
final class LivePipeline implements AutoCloseable {

  static final String HOST = "e2e-host";
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final EmbeddedBroker broker;
  private final CulpritProcessor processor;
  private final Collector collector;
  private final List<Source> sources;
  private final ResultFeed<RootCause> feed;
  private final List<RootCause> seen = new ArrayList<>();

  /**
   * @param dir scratch space (state, spool)
   * @param dockerSocket the engine to follow, or null for cgroups only
   */
  LivePipeline(Path dir, Path dockerSocket) throws Exception {
    this(dir, dockerSocket, INTERVAL);
  }

  /** With a collector interval of {@code interval} (the benchmark uses the default 5 s too). */
  LivePipeline(Path dir, Path dockerSocket, Duration interval) throws Exception {
    broker = EmbeddedBroker.startTemporary();
    try {
      ProcessorConfig config =
          ProcessorConfig.defaults(broker.bootstrapServers())
              .withApplicationId("culprit-oom-e2e")
              .withStateDir(dir.resolve("streams"))
              // Short windows: CPU-throttling causes arrive within seconds.
              .withWindow(Duration.ofSeconds(5), Duration.ofSeconds(1));
      processor = new CulpritProcessor(config);
      processor.start();
      feed = new ResultFeed<>(broker.bootstrapServers(), Topics.ROOTCAUSE_OOM, true);
      sources =
          ContainerSources.create(
              HostPaths.defaults(),
              ContainerSourceConfig.defaults(dockerSocket),
              Duration.ofSeconds(1));
      CollectorConfig collectorConfig =
          CollectorConfig.builder()
              .hostId(HOST)
              .interval(interval)
              .bootstrapServers(broker.bootstrapServers())
              .spoolDir(dir.resolve("spool"))
              .build();
      Netns host = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);
      collector =
          new Collector(
              collectorConfig, sources, () -> List.of(host), collectorConfig.openKafkaPublisher());
      collector.start();
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** Reads causes until one matches or the deadline passes; every cause read is kept. */
  RootCause await(Duration timeout, String what, Predicate<RootCause> wanted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (RootCause c : seen) {
        if (wanted.test(c)) {
          return c;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + timeout + "; causes seen: " + seen);
      }
      seen.addAll(feed.poll(Duration.ofMillis(500)));
    }
  }

  /** Every cause read so far. */
  List<RootCause> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    closeQuietly(collector);
    if (sources != null) {
      for (Source s : sources) {
        if (s instanceof AutoCloseable c) {
          closeQuietly(c);
        }
      }
    }
    closeQuietly(feed);
    closeQuietly(processor);
    closeQuietly(broker);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // Closing the rest matters more.
    }
  }
}
