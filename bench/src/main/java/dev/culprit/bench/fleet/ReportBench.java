package dev.culprit.bench.fleet;

import dev.culprit.app.Main;
import dev.culprit.broker.EmbeddedBroker;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How long {@code culprit report} takes for a range of a generated fleet, against {@code culprit
 * replay} of the same range in the same run: the report reads the range once, as the replay does,
 * and adds keeping the counters, drawing the charts and reading the coverage.
 *
 * <p>{@code bench/run ReportBench [HOSTS [MINUTES [NAMESPACES [FAULT_FRACTION [ROUNDS]]]]]},
 * defaults 200 hosts, 60 minutes at 10 s, 2 namespaces per host, 10 % of hosts faulty, 2 rounds
 * (replay and report alternate, so both see the same drift of a shared machine's load). Both run in
 * this JVM as the command line runs them; the replay's output goes nowhere.
 */
public final class ReportBench {

  private ReportBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int namespaces = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    double faulty = args.length > 3 ? Double.parseDouble(args[3]) : 0.1;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    Duration interval = Duration.ofSeconds(10);
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(hosts, namespaces, interval, faulty));
    Path work = Files.createTempDirectory("culprit-report-bench-");
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      String bootstrap = broker.bootstrapServers();
      int cycles = minutes * 60 / (int) interval.getSeconds();
      long step = interval.toMillis();
      long produceStart = System.nanoTime();
      long base = FleetBench.produceRange(fleet, bootstrap, cycles, interval);
      double produceS = (System.nanoTime() - produceStart) / 1e9;
      long records = (long) cycles * fleet.recordsPerCycle();
      String from = Long.toString(base);
      String to = Long.toString(base + cycles * step);
      System.out.printf(
          "%d hosts x %d namespaces, %d cycles of %s (%d records, %d faulty hosts), produced in"
              + " %.1f s; load average %.2f%n",
          hosts,
          namespaces,
          cycles,
          interval,
          records,
          fleet.faultyHosts(),
          produceS,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double replay =
            timed("replay", "--bootstrap-servers", bootstrap, "--from", from, "--to", to, "--json");
        Path out = work.resolve("report-" + round + ".html");
        double report =
            timed(
                "report",
                "--bootstrap-servers",
                bootstrap,
                "--from",
                from,
                "--to",
                to,
                "--out",
                out.toString());
        ratios.add(report / replay);
        System.out.printf(
            "round %d: replay %.1f s, report %.1f s (%.2fx), report %.1f MB; load average %.2f%n",
            round,
            replay,
            report,
            report / replay,
            Files.size(out) / 1e6,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
      ratios.sort(Double::compare);
      System.out.printf(
          "median report/replay: %.2fx (%s, %s)%n",
          ratios.get(ratios.size() / 2), Instant.now(), System.getProperty("java.version"));
    } finally {
      FleetBench.deleteRecursively(work);
    }
  }

  /** Seconds {@code culprit ARGS} took, its standard output discarded. */
  private static double timed(String... args) {
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    long start = System.nanoTime();
    int code;
    try {
      code = Main.run(args);
    } finally {
      System.setOut(stdout);
    }
    if (code != 0) {
      throw new IllegalStateException("culprit " + args[0] + " exited " + code);
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
