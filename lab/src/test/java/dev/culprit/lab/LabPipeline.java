package dev.culprit.lab;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.runtime.Collector;
import dev.culprit.collector.runtime.CollectorConfig;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.source.probe.ProbeSource;
import dev.culprit.collector.source.probe.ProbeTarget;
import dev.culprit.collector.spi.Source;
import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The real culprit pipeline in this JVM against a broker, wired as {@code culprit up} wires it: the
 * collector for this host and the lab's namespaces (every {@code sampleInterval}) and the processor
 * ({@code window} tumbling windows, default grace). The end-to-end tests and the detection-latency
 * bench drive the lab against it.
 */
public final class LabPipeline implements AutoCloseable {

  /** The test settings of issue 5: 1 s sampling, 5 s windows. */
  public static final Duration FAST_SAMPLING = Duration.ofSeconds(1);

  public static final Duration FAST_WINDOW = Duration.ofSeconds(5);

  /** {@code culprit up}'s defaults (CollectorOptions --interval, ProcessorOptions --window). */
  public static final Duration DEFAULT_SAMPLING = Duration.ofSeconds(5);

  public static final Duration DEFAULT_WINDOW = ProcessorConfig.DEFAULT_WINDOW_SIZE;

  /**
   * The lab's namespaces only: the host's own is always sampled too, and other namespaces on a
   * shared machine (other tests' faults) would only add load and unrelated causes.
   */
  private static final List<String> LAB_NAMESPACES =
      List.of(LabTopology.LAN_NS, LabTopology.WEB_NS, LabTopology.QUIET_NS, "culprit-client-*");

  private static final Duration READY = Duration.ofSeconds(60);

  /**
   * What {@code culprit lab up} suggests: client 1 probes the server and the healthy neighbour, so
   * the clients' view (probe loss) joins the server's causes.
   */
  public static final List<String> PROBES =
      List.of(
          LabTopology.client(1).netns()
              + "/"
              + LabTopology.WEB_ADDRESS
              + ":"
              + LabTopology.HTTP_PORT,
          LabTopology.client(1).netns()
              + "/"
              + LabTopology.QUIET_ADDRESS
              + ":"
              + LabTopology.HTTP_PORT);

  private final Path dir;
  private final CulpritProcessor processor;
  private final NetworkSources sources;
  private final Collector collector;

  private LabPipeline(
      Path dir, CulpritProcessor processor, NetworkSources sources, Collector collector) {
    this.dir = dir;
    this.processor = processor;
    this.sources = sources;
    this.collector = collector;
  }

  /**
   * Starts processor and collector, client 1 probing ({@link #PROBES}); once the processor runs.
   */
  public static LabPipeline start(String bootstrapServers, Duration sampleInterval, Duration window)
      throws IOException, InterruptedException {
    return start(bootstrapServers, sampleInterval, window, PROBES);
  }

  /** Starts processor and collector with these probes (none: no probe source). */
  public static LabPipeline start(
      String bootstrapServers, Duration sampleInterval, Duration window, List<String> probes)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("culprit-lab-pipeline");
    ProcessorConfig processorConfig =
        ProcessorConfig.defaults(bootstrapServers)
            // A fresh application id: no committed offsets or state from an earlier run.
            .withApplicationId("culprit-lab-" + UUID.randomUUID())
            .withStateDir(dir.resolve("streams"))
            .withWindow(window, ProcessorConfig.DEFAULT_GRACE);
    HostPaths paths = HostPaths.defaults();
    CollectorConfig collectorConfig =
        CollectorConfig.builder()
            .interval(sampleInterval)
            .hostPaths(paths)
            .spoolDir(dir.resolve("spool"))
            .bootstrapServers(bootstrapServers)
            .build();
    ProcessCommandRunner runner = new ProcessCommandRunner();
    Duration commandTimeout =
        Duration.ofMillis(Math.max(100, collectorConfig.sourceTimeout().toMillis() * 4 / 5));
    CulpritProcessor processor = new CulpritProcessor(processorConfig);
    NetworkSources network = null;
    Collector collector = null;
    try {
      processor.start();
      if (!processor.awaitRunning(READY)) {
        throw new IllegalStateException("the processor did not reach RUNNING in " + READY);
      }
      network =
          NetworkSources.open(
              paths,
              runner,
              new NetworkSourceOptions(
                  NetworkSourceOptions.ALL, NameFilter.all(), commandTimeout, 1));
      List<Source> all = new ArrayList<>(network.sources());
      if (!probes.isEmpty()) {
        all.add(
            new ProbeSource(
                network.access(),
                probes.stream().map(ProbeTarget::parse).toList(),
                5,
                Duration.ofMillis(Math.min(900, commandTimeout.toMillis()))));
      }
      collector =
          new Collector(
              collectorConfig,
              all,
              new ProcNamespaceFinder(
                  paths, NameFilter.of(LAB_NAMESPACES, List.of()), pid -> Optional.empty()),
              collectorConfig.openKafkaPublisher());
      collector.start();
      return new LabPipeline(dir, processor, network, collector);
    } catch (RuntimeException | IOException | InterruptedException e) {
      if (collector != null) {
        collector.close();
      }
      if (network != null) {
        network.close();
      }
      processor.close();
      deleteTree(dir);
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      collector.close();
      sources.close();
    } finally {
      processor.close();
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp directory left behind is not worth failing a test over.
    }
  }
}
