package dev.culprit.bench.collector;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.TestCertificates;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent's cost with TLS on, same run: three agents side by side, each with the launcher's JVM
 * flags and a class-data archive trained on its own configuration (as the launcher does on a host's
 * first start) and its {@code MALLOC_ARENA_MAX=2}, publishing a cycle a second of the default
 * sources:
 *
 * <ul>
 *   <li>{@code sasl-tcp}: the built-in client, SASL SCRAM over TCP (the configuration measured
 *       before TLS was built in);
 *   <li>{@code sasl-tls}: the built-in client, SASL SCRAM over TLS (SASL_SSL);
 *   <li>{@code sasl-tls-java}: the Java client, the same SASL_SSL login ({@code client.dns.lookup}
 *       is a setting only it has).
 * </ul>
 *
 * CPU is the agents' user + system time over the measured window, RSS their {@code VmRSS} at its
 * end and the largest seen in it. Usage: {@code bench/run AgentTlsBench [WARM_S] [MEASURE_S]}, as
 * root (the agent reads every namespace); defaults 120 and 180.
 */
public final class AgentTlsBench {

  private static final String PASSWORD = "culprit-bench-tls";

  private AgentTlsBench() {}

  public static void main(String[] args) throws Exception {
    int warm = args.length > 0 ? Integer.parseInt(args[0]) : 120;
    int measure = args.length > 1 ? Integer.parseInt(args[1]) : 180;
    Path jar = Path.of("app/target/culprit-collect.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no " + jar + ": run from the repository root after a build");
    }
    List<String> jvm = new ArrayList<>(launcherFlags(Path.of("culprit")));
    // AGENT_EXTRA: JVM flags for all three (e.g. -XX:NativeMemoryTracking=summary, whose
    // summary is then printed per agent).
    String extra = System.getenv().getOrDefault("AGENT_EXTRA", "").trim();
    if (!extra.isEmpty()) {
      jvm.addAll(List.of(extra.split("\\s+")));
    }
    Path dir = Files.createTempDirectory("culprit-tls-bench-");
    List<Process> agents = new ArrayList<>();
    // Interrupted (SIGINT, SIGTERM): the agents end with this JVM.
    Thread stopAgents = new Thread(() -> agents.forEach(Process::destroyForcibly));
    Runtime.getRuntime().addShutdownHook(stopAgents);
    try {
      TestCertificates certs = new TestCertificates(dir, PASSWORD);
      Path keys = certs.keyPair("broker", "localhost", "ip:127.0.0.1,dns:localhost");
      Path trust = certs.trustStore("trust", "broker");
      Map<String, String> tls = new HashMap<>();
      tls.put("listener.security.protocol.map", "CLIENT:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
      // The broker checks at start that a client with the listener's settings can connect.
      tls.putAll(certs.listener("CLIENT", keys, trust));
      try (EmbeddedBroker tcp = EmbeddedBroker.startTemporaryAuthenticated();
          EmbeddedBroker ssl = EmbeddedBroker.startTemporaryAuthenticated(tls)) {
        Map<String, String> tlsClient = new LinkedHashMap<>(ssl.clientProperties());
        tlsClient.put("bootstrap.servers", ssl.bootstrapServers());
        tlsClient.putAll(certs.clientTrust(trust));
        Map<String, String> tcpClient = new LinkedHashMap<>(tcp.clientProperties());
        tcpClient.put("bootstrap.servers", tcp.bootstrapServers());

        Map<String, List<String>> configs = new LinkedHashMap<>();
        configs.put("sasl-tcp", agentArgs(dir, "sasl-tcp", tcpClient));
        configs.put("sasl-tls", agentArgs(dir, "sasl-tls", tlsClient));
        List<String> java = new ArrayList<>(agentArgs(dir, "sasl-tls-java", tlsClient));
        java.addAll(List.of("--producer-property", "client.dns.lookup=use_all_dns_ips"));
        configs.put("sasl-tls-java", java);

        Map<String, Process> running = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> c : configs.entrySet()) {
          Path jsa = train(jar, jvm, dir, c.getKey(), c.getValue());
          List<String> command = new ArrayList<>(List.of("java"));
          command.addAll(jvm);
          command.addAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds*=off", "-jar"));
          command.add(jar.toString());
          command.addAll(c.getValue());
          Process p = start(command, dir.resolve(c.getKey() + ".err"));
          agents.add(p);
          running.put(c.getKey(), p);
        }
        System.out.printf(
            "%d agents, JVM flags %s; warming up %d s, measuring %d s%n",
            running.size(), String.join(" ", jvm), warm, measure);
        waitAlive(running, warm);
        Map<String, long[]> before = new LinkedHashMap<>();
        Map<String, Long> maxRss = new HashMap<>();
        for (Map.Entry<String, Process> e : running.entrySet()) {
          before.put(e.getKey(), new long[] {cpuTicks(e.getValue().pid())});
        }
        long start = System.nanoTime();
        for (int s = 0; s < measure; s += 5) {
          waitAlive(running, Math.min(5, measure - s));
          for (Map.Entry<String, Process> e : running.entrySet()) {
            maxRss.merge(e.getKey(), status(e.getValue().pid(), "VmRSS:"), Math::max);
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long tck = 100; // USER_HZ on Linux
        System.out.println();
        System.out.println(
            "| agent | transport (its log) | CPU ms/s | ratio | RSS MiB at the end (max in"
                + " window) |");
        System.out.println("|---|---|---:|---:|---:|");
        double base = 0;
        for (Map.Entry<String, Process> e : running.entrySet()) {
          long pid = e.getValue().pid();
          double cpu = (cpuTicks(pid) - before.get(e.getKey())[0]) * 1000.0 / tck / seconds;
          if (base == 0) {
            base = cpu;
          }
          String log = Files.readString(dir.resolve(e.getKey() + ".err"));
          String transport =
              log.lines()
                  .filter(x -> x.contains("carries the records"))
                  .map(x -> x.substring(x.indexOf("the ")))
                  .findFirst()
                  .orElse("?");
          System.out.printf(
              "| %s | %s | %.2f | %.2f | %.1f (%.1f) |%n",
              e.getKey(),
              transport,
              cpu,
              cpu / base,
              status(pid, "VmRSS:") / 1024.0,
              maxRss.get(e.getKey()) / 1024.0);
        }
        for (Map.Entry<String, Process> e : running.entrySet()) {
          long pid = e.getValue().pid();
          System.out.printf(
              "%s: RssAnon %d kB, RssFile %d kB%n",
              e.getKey(), status(pid, "RssAnon:"), status(pid, "RssFile:"));
          if (extra.contains("NativeMemoryTracking")) {
            Process jcmd =
                new ProcessBuilder("jcmd", Long.toString(pid), "VM.native_memory", "summary")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            out.lines()
                .filter(x -> x.startsWith("-") || x.startsWith("Total"))
                .forEach(x -> System.out.println("  " + x.trim()));
          }
        }
        for (Map.Entry<String, Process> e : running.entrySet()) {
          String log = Files.readString(dir.resolve(e.getKey() + ".err"));
          long warnings =
              log.lines().filter(x -> x.contains("WARN") || x.contains("ERROR")).count();
          if (warnings > 0) {
            System.out.printf(
                "%s logged %d warnings or errors (see below)%n", e.getKey(), warnings);
            log.lines()
                .filter(x -> x.contains("WARN") || x.contains("ERROR"))
                .limit(5)
                .forEach(x -> System.out.println("  " + x));
          }
        }
      }
    } finally {
      for (Process p : agents) {
        p.destroy();
      }
      for (Process p : agents) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The agent's JVM flags as the launcher sets them for {@code collect}. */
  static List<String> launcherFlags(Path launcher) throws IOException {
    List<String> flags =
        Files.readAllLines(launcher).stream()
            .filter(x -> x.startsWith("  default_opts=\"") && x.contains("-Xmx64m"))
            .map(x -> x.substring(x.indexOf('"') + 1, x.lastIndexOf('"')))
            .flatMap(x -> Stream.of(x.split(" ")))
            .toList();
    if (flags.isEmpty()) {
      throw new IllegalStateException(
          "no agent JVM flags (default_opts with -Xmx64m) in " + launcher);
    }
    return flags;
  }

  private static List<String> agentArgs(Path dir, String name, Map<String, String> client)
      throws IOException {
    Path config = dir.resolve(name + ".properties");
    Properties p = new Properties();
    p.putAll(client);
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      p.store(w, null);
    }
    return List.of(
        "collect",
        "--interval",
        "1s",
        "--host-id",
        "culprit-tls-bench-" + name,
        "--kafka-config",
        config.toString(),
        "--data-dir",
        dir.resolve(name).toString(),
        "--spool-dir",
        dir.resolve(name + "-spool").toString());
  }

  /** One training cycle of this configuration, as the launcher makes its class-data archive. */
  private static Path train(Path jar, List<String> jvm, Path dir, String name, List<String> args)
      throws Exception {
    Path jsa = dir.resolve(name + ".jsa");
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvm);
    command.addAll(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds*=off", "-jar"));
    command.add(jar.toString());
    command.addAll(args);
    command.add("--once");
    Process p = start(command, dir.resolve(name + "-train.err"));
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("training " + name + " did not end within 120 s");
    }
    if (!Files.isRegularFile(jsa)) {
      throw new IllegalStateException(
          "training "
              + name
              + " made no archive: "
              + Files.readString(dir.resolve(name + "-train.err")));
    }
    return jsa;
  }

  private static Process start(List<String> command, Path err) throws IOException {
    ProcessBuilder b =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile());
    b.environment().put("MALLOC_ARENA_MAX", "2"); // as the launcher sets it for the agent
    return b.start();
  }

  private static void waitAlive(Map<String, Process> running, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (Map.Entry<String, Process> e : running.entrySet()) {
      long left = end - System.nanoTime();
      if (left > 0 && e.getValue().waitFor(left, TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(e.getKey() + " exited with " + e.getValue().exitValue());
      }
    }
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  private static long status(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }
}
