package dev.culprit.bench.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs {@link FleetBench} against a broker: {@code BenchMain --bootstrap-servers HOST:PORT [--hosts
 * 2000] [--namespaces 3] [--interval-s 10] [--fault-fraction 0.05] [--cycles 6] [--realtime-s 60]
 * [--heap 1g]}. Prints the report as Markdown.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String bootstrap = a.get("bootstrap-servers");
    if (bootstrap == null) {
      System.err.println("--bootstrap-servers is required");
      System.exit(2);
    }
    System.out.println(run(bootstrap, a).toMarkdown());
  }

  /** Runs with options from parsed arguments (shared with the embedded-broker launcher). */
  public static BenchReport run(String bootstrap, Map<String, String> a) throws Exception {
    FleetGenerator.Options fleet =
        new FleetGenerator.Options(
            Integer.parseInt(a.getOrDefault("hosts", "2000")),
            Integer.parseInt(a.getOrDefault("namespaces", "3")),
            Duration.ofSeconds(Long.parseLong(a.getOrDefault("interval-s", "10"))),
            Double.parseDouble(a.getOrDefault("fault-fraction", "0.05")));
    Path work = Files.createTempDirectory("culprit-bench-");
    FleetBench.Options options =
        new FleetBench.Options(
            fleet,
            Integer.parseInt(a.getOrDefault("cycles", "6")),
            Duration.ofSeconds(Long.parseLong(a.getOrDefault("realtime-s", "60"))),
            work,
            a.getOrDefault("heap", "512m"),
            a.getOrDefault("streams", ""),
            Integer.parseInt(a.getOrDefault("rounds", "3")));
    // State directories are deleted after each phase; the child logs stay for inspection.
    System.err.println("benchmark work directory (child logs): " + work);
    return FleetBench.run(bootstrap, options);
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
