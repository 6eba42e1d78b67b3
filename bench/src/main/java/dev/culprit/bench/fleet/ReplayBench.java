package dev.culprit.bench.fleet;

import dev.culprit.app.Main;
import dev.culprit.broker.EmbeddedBroker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code culprit replay} of a generated fleet's range three ways in the same run: in this process
 * (Kafka Streams' in-memory driver, one thread), {@code --on-cluster} with one process, and {@code
 * --on-cluster} with a second process joining the run ({@code --join}, a JVM of its own). Each
 * round runs the three in that order; every mode's results must equal the in-process replay's.
 *
 * <p>{@code bench/run ReplayBench [HOSTS [MINUTES [NAMESPACES [FAULT_FRACTION [ROUNDS]]]]]},
 * defaults 100 hosts, 30 minutes at 10 s, 2 namespaces, 10 % faulty, 2 rounds. The broker is this
 * JVM's embedded one (one node, the contract's 3 partitions per sample topic): with two processes
 * on this machine's two cores, the second process competes with the first and the broker.
 */
public final class ReplayBench {

  private static final Pattern RUN = Pattern.compile("culprit replay --join ([0-9a-z-]+)");

  /** The joining process's output, overwritten by each. */
  private static final Path JOINER_LOG;

  static {
    try {
      JOINER_LOG = java.nio.file.Files.createTempFile("culprit-replay-bench-join-", ".log");
      JOINER_LOG.toFile().deleteOnExit();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private ReplayBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int namespaces = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    double faulty = args.length > 3 ? Double.parseDouble(args[3]) : 0.1;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    Duration interval = Duration.ofSeconds(10);
    FleetGenerator fleet =
        new FleetGenerator(new FleetGenerator.Options(hosts, namespaces, interval, faulty));
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      String bootstrap = broker.bootstrapServers();
      int cycles = minutes * 60 / (int) interval.getSeconds();
      long step = interval.toMillis();
      long base = FleetBench.produceRange(fleet, bootstrap, cycles, interval);
      long records = (long) cycles * fleet.recordsPerCycle();
      double rangeS = cycles * interval.getSeconds();
      String[] range = {
        "replay",
        "--bootstrap-servers",
        bootstrap,
        "--from",
        Long.toString(base),
        "--to",
        Long.toString(base + cycles * step),
        "--json"
      };
      System.out.printf(
          "%d hosts x %d namespaces, %d cycles of %s: %d records (%d faulty hosts); load average"
              + " %.2f%n",
          hosts,
          namespaces,
          cycles,
          interval,
          records,
          fleet.faultyHosts(),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.println();
      System.out.println(
          "| round | mode | seconds | x real time | records/s | root causes | fleet incidents |"
              + " root causes as in process | fleet incidents as in process |");
      System.out.println("|---:|---|---:|---:|---:|---:|---:|---|---|");
      for (int round = 1; round <= rounds; round++) {
        Run local = run(range, null, bootstrap);
        print(round, "in process", local, local, rangeS, records);
        Run one = run(with(range, "--on-cluster"), null, bootstrap);
        print(round, "on the cluster, 1 process", one, local, rangeS, records);
        Run two = run(with(range, "--on-cluster"), "join", bootstrap);
        print(round, "on the cluster, 2 processes", two, local, rangeS, records);
      }
      System.out.printf(
          "%n(%s, %s, load average %.2f)%n",
          Instant.now(),
          System.getProperty("java.version"),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private record Run(double seconds, List<String> results) {}

  private static void print(
      int round, String mode, Run run, Run reference, double rangeS, long records) {
    List<String> causes = causes(run.results(), true);
    List<String> fleet = causes(run.results(), false);
    List<String> refFleet = causes(reference.results(), false);
    List<String> sameFleet = new ArrayList<>(fleet);
    sameFleet.retainAll(refFleet);
    System.out.printf(
        "| %d | %s | %.1f | %.1f | %.0f | %d | %d | %s | %d of %d |%n",
        round,
        mode,
        run.seconds(),
        rangeS / run.seconds(),
        records / run.seconds(),
        causes.size(),
        fleet.size(),
        causes.equals(causes(reference.results(), true)) ? "yes" : "**no**",
        sameFleet.size(),
        refFleet.size());
    if (!run.results().equals(reference.results())) {
      List<String> onlyHere = new ArrayList<>(run.results());
      onlyHere.removeAll(reference.results());
      List<String> onlyThere = new ArrayList<>(reference.results());
      onlyThere.removeAll(run.results());
      System.err.printf(
          "%s, round %d: %d results only here, %d only in process; first of each:%n  %s%n  %s%n",
          mode,
          round,
          onlyHere.size(),
          onlyThere.size(),
          onlyHere.isEmpty() ? "-" : onlyHere.get(0),
          onlyThere.isEmpty() ? "-" : onlyThere.get(0));
      if (System.getenv("REPLAY_BENCH_DIFF") != null) {
        try {
          java.nio.file.Files.write(
              Path.of(System.getenv("REPLAY_BENCH_DIFF") + "-" + round + "-" + mode.length()),
              java.util.stream.Stream.concat(
                      onlyHere.stream().map(l -> "+ " + l), onlyThere.stream().map(l -> "- " + l))
                  .toList());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }

  /** The root causes (with an event id) or the other results (fleet incidents) of a run. */
  private static List<String> causes(List<String> results, boolean rootCauses) {
    return results.stream().filter(l -> l.contains("\"eventId\"") == rootCauses).toList();
  }

  private static String[] with(String[] args, String extra) {
    String[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = extra;
    return out;
  }

  /**
   * Runs {@code culprit ARGS} in this JVM, timed, its results sorted; with {@code join}, a second
   * JVM joins the run as soon as its name is printed, and the time counts until both ended.
   */
  private static Run run(String[] args, String join, String bootstrap) throws Exception {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Process> joiners = new ArrayList<>();
    OutputStream err =
        new OutputStream() {
          private final StringBuilder line = new StringBuilder();

          @Override
          public void write(int b) {
            if (b != '\n') {
              line.append((char) b);
              return;
            }
            Matcher m = RUN.matcher(line);
            if (join != null && joiners.isEmpty() && m.find()) {
              joiners.add(startJoiner(m.group(1), bootstrap));
            }
            line.setLength(0);
          }
        };
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    long start = System.nanoTime();
    int code;
    try {
      code = Main.run(args);
      for (Process p : joiners) {
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IllegalStateException("the joining process did not end");
        }
        String said = java.nio.file.Files.readString(JOINER_LOG);
        // It joined, ran as a member of the run's group, and ended with the run.
        if (p.exitValue() != 0 || !said.contains("joined run") || !said.contains("-> RUNNING")) {
          throw new IllegalStateException("the joining process failed: " + said);
        }
      }
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
      joiners.forEach(Process::destroyForcibly);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (code != 0) {
      throw new IllegalStateException("culprit replay exited " + code);
    }
    if (join != null && joiners.isEmpty()) {
      throw new IllegalStateException("no run name printed: nothing joined");
    }
    return new Run(seconds, out.toString(StandardCharsets.UTF_8).lines().sorted().toList());
  }

  private static Process startJoiner(String run, String bootstrap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-XX:+UseSerialGC", "-Xmx768m", "-cp"));
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of("replay", "--bootstrap-servers", bootstrap, "--join", run));
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(JOINER_LOG.toFile())
          .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
