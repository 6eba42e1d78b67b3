package dev.culprit.processor.oom;

import dev.culprit.lab.ContainerFault;
import dev.culprit.lab.FaultKind;
import dev.culprit.lab.container.DockerLab;
import dev.culprit.lab.container.LabWorkload;
import dev.culprit.lab.container.PrivateDockerd;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Time from the kernel's kill to the OOM cause being readable on {@code culprit.rootcause.oom} (p50
 * / p95 over N kills), through the real pipeline (private dockerd, collector, embedded broker,
 * processor), against a baseline in the same run: the time the engine itself takes to record the
 * exit ({@code State.FinishedAt} minus the kill). Each kill is the lab's oom-process container.
 *
 * <pre>
 * sudo bench/run OomLatencyBench [runs] [collector interval ms]
 * </pre>
 */
public final class OomLatencyBench {

  private OomLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Duration interval = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 1000);
    PrivateDockerd.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException("cannot run: " + why);
            });
    Path dir = Files.createTempDirectory("culprit-oom-bench");
    List<Long> toCause = new ArrayList<>();
    List<Long> toEngine = new ArrayList<>();
    try (PrivateDockerd dockerd = PrivateDockerd.start(dir.resolve("d"));
        DockerLab lab = new DockerLab(dockerd.host(), dir.resolve("lab"));
        LivePipeline pipeline = new LivePipeline(dir.resolve("p"), dockerd.socket(), interval)) {
      for (int i = 0; i < runs; i++) {
        LabWorkload hog = lab.inject(ContainerFault.of(FaultKind.OOM_PROCESS).workload());
        RootCause cause =
            pipeline.await(
                Duration.ofSeconds(120),
                "the kill of " + hog.name(),
                c ->
                    c.getCause() == Cause.PROCESS_MEMORY_GROWTH
                        && Objects.equals(c.getContainer(), hog.containerId()));
        long readMs = System.currentTimeMillis();
        long killMs = (Long) cause.getEvidence().get("killTimeMs");
        long finishedMs = lab.finishedAtMs(hog);
        toCause.add(readMs - killMs);
        toEngine.add(finishedMs - killMs);
        System.out.printf(
            "run %d: kill -> cause readable %5d ms   kill -> engine FinishedAt %5d ms%n",
            i + 1, readMs - killMs, finishedMs - killMs);
      }
    } finally {
      try (Stream<Path> tree = Files.walk(dir)) {
        tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.out.printf(
        "collector interval %d ms, %d kills: kill -> cause p50 %d ms, p95 %d ms; engine baseline p50"
            + " %d ms (cause / engine p50 = %.1fx; cause p50 / interval = %.2f)%n",
        interval.toMillis(),
        runs,
        percentile(toCause, 50),
        percentile(toCause, 95),
        percentile(toEngine, 50),
        percentile(toCause, 50) / (double) Math.max(1, percentile(toEngine, 50)),
        percentile(toCause, 50) / (double) interval.toMillis());
  }

  /** Nearest-rank percentile. */
  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
