package dev.culprit.lab;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.schemas.Cause;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Detection latency per fault class: from {@code culprit lab inject} returning to the root-cause
 * event being readable on {@code culprit.rootcause.packet-loss}, p50 and p95 over N runs, for the
 * fast test settings (1 s sampling, 5 s windows) and for the defaults. Root only; it builds the
 * real lab, so nothing else may have one up.
 *
 * <pre>
 * sudo bench/run LabDetectionLatencyBench [RUNS [fast|defaults|both]]
 * </pre>
 */
public final class LabDetectionLatencyBench {

  private static final Duration GIVE_UP = Duration.ofSeconds(120);
  // Fixed seed: the same sequence of injection phases on every run of the bench.
  private static final java.util.Random PHASE = new java.util.Random(5);

  private LabDetectionLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String which = args.length > 1 ? args[1] : "both";
    // Optional: only these faults (comma-separated names), e.g. to add a new fault's row.
    List<FaultKind> faults =
        args.length > 2
            ? java.util.Arrays.stream(args[2].split(",")).map(FaultKind::parse).toList()
            : FaultKind.network();
    String reason = RealLabHarness.whyUnusable();
    if (reason != null) {
      System.err.println("LabDetectionLatencyBench: " + reason);
      System.exit(2);
    }
    if (!which.equals("defaults")) {
      measure(
          "1 s sampling, 5 s windows",
          LabPipeline.FAST_SAMPLING,
          LabPipeline.FAST_WINDOW,
          runs,
          faults);
    }
    if (!which.equals("fast")) {
      measure(
          "defaults: 5 s sampling, 10 s windows",
          LabPipeline.DEFAULT_SAMPLING,
          LabPipeline.DEFAULT_WINDOW,
          runs,
          faults);
    }
  }

  private static void measure(
      String label, Duration sampling, Duration window, int runs, List<FaultKind> faults)
      throws Exception {
    String conntrackMax = RealLabHarness.conntrackMax();
    Lab lab = new Lab(Files.createTempDirectory("culprit-lab-bench"));
    // Ctrl-C or kill ends the JVM without running finally blocks: take the lab down anyway.
    Thread downOnExit = new Thread(() -> tearDown(lab, conntrackMax), "lab-down-on-exit");
    Runtime.getRuntime().addShutdownHook(downOnExit);
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary();
        LabPipeline pipeline = LabPipeline.start(broker.bootstrapServers(), sampling, window);
        RootCauseWatcher watcher = new RootCauseWatcher(broker.bootstrapServers())) {
      lab.up(2);
      System.out.printf("%s, %d runs per fault%n", label, runs);
      System.out.printf("%-16s %8s %8s   runs (s)%n", "fault", "p50 s", "p95 s");
      for (FaultKind kind : faults) {
        List<Duration> latencies = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
          // Inject at a random phase of the window: back-to-back runs of equal length would all
          // hit the same point of the window and measure one latency five times.
          Thread.sleep(PHASE.nextLong(window.toMillis()));
          latencies.add(oneRun(lab, watcher, kind, sampling, window));
        }
        System.out.printf(
            "%-16s %8.1f %8.1f   %s%n",
            kind,
            seconds(Percentiles.of(latencies, 50)),
            seconds(Percentiles.of(latencies, 95)),
            latencies.stream().map(d -> String.format("%.1f", seconds(d))).toList());
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(downOnExit);
      tearDown(lab, conntrackMax);
    }
  }

  private static void tearDown(Lab lab, String conntrackMax) {
    try {
      lab.down();
    } finally {
      RealLabHarness.forceConntrackMax(conntrackMax);
      RealLabHarness.deleteStateDir(lab.stateDir());
    }
  }

  /** Inject, time until the event is readable, clear, and wait until the cause has stopped. */
  private static Duration oneRun(
      Lab lab, RootCauseWatcher watcher, FaultKind kind, Duration sampling, Duration window) {
    Cause cause = kind.expectedCause().orElseThrow();
    lab.inject(NetworkFault.of(kind));
    Instant injected = Instant.now();
    RootCauseWatcher.Seen seen =
        watcher
            .await(
                e -> e.getCause() == cause && e.getNetns().equals(LabTopology.WEB_NS),
                injected,
                GIVE_UP)
            .orElseThrow(() -> new IllegalStateException(kind + " not detected in " + GIVE_UP));
    lab.clear(kind);
    // The next run starts only once the cause has stopped: no window starting after the clear
    // (plus one sample) may report it, so the next run cannot be credited with this one's event.
    Instant cleared = Instant.now().plus(sampling);
    Duration quiet = window.multipliedBy(2).plus(ProcessorConfig.DEFAULT_GRACE).plus(sampling);
    var late =
        watcher.await(
            e ->
                e.getCause() == cause
                    && e.getNetns().equals(LabTopology.WEB_NS)
                    && e.getWindowStartMs() >= cleared.toEpochMilli(),
            cleared,
            quiet);
    if (late.isPresent()) {
      throw new IllegalStateException(kind + " still reported after clear: " + late.get());
    }
    return Duration.between(injected, seen.readAt());
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
