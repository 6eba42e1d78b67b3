package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an unprivileged user on the host can do to the agent: {@code nobody}, in a user and network
 * namespace of its own ({@code unshare -Urn}, which needs no privilege), names interfaces like
 * commands, floods veth pairs, loads 50,000 iptables rules one of which has a comment that would
 * run a command if a shell ever read it, and runs a process named {@code java} whose hsperfdata is
 * a 100 MB sparse file and whose JDK {@code release} is a symlink to {@code /proc/kmsg}. The real
 * agent ({@code culprit collect --once --json}, a child JVM with the agent's flags) must still
 * sample the host, stay within its memory budget and run nothing the user wrote.
 *
 * <p>Needs root (to become {@code nobody} and to read the user's namespace as the agent does);
 * skips saying why otherwise. Everything the user made lives in its namespaces, which vanish with
 * its processes; the files are under {@code /tmp/culprit-attacker-*}, removed after.
 */
class UnprivilegedAttackerKernelIT {

  private static final int NOBODY = 65534;
  private static final Path CANARY = Path.of("/tmp/culprit-canary");
  private static final Path HSPERF_DIR = Path.of("/tmp/hsperfdata_nobody");
  private static final int VETH_PAIRS = Integer.getInteger("culprit.attacker.vethPairs", 2500);
  private static final int IPTABLES_RULES = 50_000;

  /** Unprivileged netlink messages are small: iptables-restore refuses much larger batches. */
  private static final int RULES_PER_RESTORE = 500;

  /**
   * The agent's budget: its peak resident set, heap, metaspace, code cache and thread stacks
   * included, while it samples the attacker's namespace (override with {@code
   * -Dculprit.attacker.rssBudgetMiB}). The heap alone is held by the launcher's {@code -Xmx} with
   * {@code ExitOnOutOfMemoryError}: a clean exit proves it was enough.
   */
  private static final long RSS_BUDGET_KIB =
      Long.getLong("culprit.attacker.rssBudgetMiB", 64) * 1024;

  /** The per-host agent's jar and the launcher that runs it (the IT runs in app/). */
  private static final Path AGENT_JAR = Path.of("target", "culprit-collect.jar");

  private static final Path LAUNCHER = Path.of("..", "culprit");

  private final ObjectMapper json = new ObjectMapper();
  private Path dir;
  private Process attacker;
  private boolean hsperfDirOurs;

  @BeforeEach
  void needsRootAndTools() throws Exception {
    assumeTrue(uid() == 0, "needs root: to become nobody and read its namespaces as the agent");
    for (String tool : List.of("unshare", "setpriv", "ip", "iptables-restore", "truncate")) {
      assumeTrue(onPath(tool), tool + " is not installed");
    }
    assumeTrue(
        run(asNobodyInNewNamespaces("true")) == 0,
        "unprivileged user namespaces are disabled on this kernel");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (attacker != null) {
      // Its namespaces (veths, rules) go with its processes.
      attacker.descendants().forEach(ProcessHandle::destroyForcibly);
      attacker.destroyForcibly();
      attacker.waitFor(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      run(List.of("rm", "-rf", dir.toString()));
    }
    if (hsperfDirOurs) {
      run(List.of("rm", "-rf", HSPERF_DIR.toString()));
    }
    Files.deleteIfExists(CANARY);
  }

  @Test
  void anUnprivilegedUsersHostileNamespaceNeitherStopsNorBloatsNorCommandsTheAgent()
      throws Exception {
    Files.deleteIfExists(CANARY);
    hsperfDirOurs = !Files.exists(HSPERF_DIR);
    dir = Files.createTempDirectory("culprit-attacker-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    writeRuleFiles();
    Path script = dir.resolve("attack.sh");
    Files.writeString(script, attackScript());
    Path log = dir.resolve("attacker.log");

    long setUpStart = System.nanoTime();
    attacker =
        new ProcessBuilder(asNobodyInNewNamespaces("sh", script.toString(), dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Path ready = dir.resolve("ready");
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.exists(ready) && attacker.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling the attacker's marker, with a deadline
    }
    assertThat(ready).as("attacker set up; its log: %s", readOrEmpty(log)).exists();
    long setUpMs = (System.nanoTime() - setUpStart) / 1_000_000;
    String made = Files.readString(ready).strip();
    System.out.printf(
        "attacker: %s in %d ms (%d veth pairs asked, %d iptables rules)%n",
        made, setUpMs, VETH_PAIRS, IPTABLES_RULES);

    Collect collect = collectOnce();

    assertThat(collect.exitCode).as("agent exit; stderr: %s", collect.stderr).isZero();
    assertThat(CANARY).as("a rule comment must never run").doesNotExist();
    // The host namespace is sampled as always.
    assertThat(collect.samples("culprit.samples.interface", ""))
        .as("the host's interface sample")
        .isNotEmpty();
    assertThat(collect.samples("culprit.samples.protocol", "")).isNotEmpty();
    List<JsonNode> health = collect.samples("culprit.samples.collector", "");
    assertThat(health).as("the health sample").hasSize(1);
    // The user's namespace was sampled too, or reported with a reason: never silently dropped.
    String attackerNetns = "netns-" + made.split(" ")[0] + "-";
    List<JsonNode> statuses = new ArrayList<>();
    health.get(0).get("sources").forEach(statuses::add);
    List<JsonNode> ofAttacker =
        statuses.stream().filter(s -> s.get("netns").asText().startsWith(attackerNetns)).toList();
    assertThat(ofAttacker).as("the attacker's namespace in the health sample").isNotEmpty();
    for (JsonNode s : ofAttacker) {
      if (!s.get("status").asText().equals("OK")) {
        assertThat(s.get("reason").asText()).as("why %s was not sampled", s).isNotBlank();
      }
    }
    // 50,000 rules are refused before they are parsed, and the health sample says why.
    JsonNode filter =
        ofAttacker.stream()
            .filter(s -> s.get("source").asText().equals("filter"))
            .findFirst()
            .orElseThrow();
    assertThat(filter.get("status").asText()).isEqualTo("NO_DATA");
    assertThat(filter.get("reason").asText()).startsWith("too large: ");
    System.out.printf(
        "agent: peak RSS %d KiB (budget %d KiB), %d records, attacker's namespace: %s%n",
        collect.peakRssKib, RSS_BUDGET_KIB, collect.lines.size(), ofAttacker);
    assertThat(collect.peakRssKib).as("agent peak RSS, KiB").isLessThanOrEqualTo(RSS_BUDGET_KIB);
  }

  /** The attacker's shell script, run as nobody inside its own user and network namespace. */
  private String attackScript() {
    return String.join(
        "\n",
        "set -u",
        "d=$1",
        // Names the agent must quote: the kernel refuses spaces, slashes and more than 15 bytes.
        "ip link add 'x$(reboot)' type veth peer name 'y;touch' || true",
        "ip link add 'abcdefghijklmno' type veth peer name \"cu-\\`id\\`\" || true",
        "ip link add 'a b' type veth peer name cu-sp 2>/dev/null && echo spaces accepted",
        "i=0; while [ $i -lt "
            + VETH_PAIRS
            + " ]; do i=$((i+1));"
            + " echo \"link add cu-v$i type veth peer name cu-p$i\"; done | ip -batch - || true",
        "for f in \"$d\"/rules.*.txt; do iptables-restore --noflush < \"$f\" || exit 3; done",
        // A process named java: its perf data 100 MB of holes, its JDK release the kernel log.
        "mkdir -p \"$d/jdk/bin\" && cp /bin/sleep \"$d/jdk/bin/java\"",
        "ln -s /proc/kmsg \"$d/jdk/release\"",
        "\"$d/jdk/bin/java\" 600 &",
        "mkdir -p " + HSPERF_DIR + " && truncate -s 100M " + HSPERF_DIR + "/$!",
        "inode=$(readlink /proc/self/ns/net | tr -dc 0-9)",
        "echo \"$inode $(ip -o link | wc -l) links $(iptables -S INPUT | wc -l) rules\""
            + " > \"$d/ready.tmp\" && mv \"$d/ready.tmp\" \"$d/ready\"",
        "wait",
        "");
  }

  private void writeRuleFiles() throws IOException {
    for (int c = 0; c * RULES_PER_RESTORE < IPTABLES_RULES; c++) {
      StringBuilder b = new StringBuilder("*filter\n");
      if (c == 0) {
        b.append(
            "-A INPUT -s 10.9.9.9/32 -m comment --comment \"x;touch " + CANARY + "\" -j DROP\n");
      }
      for (int i = c * RULES_PER_RESTORE + 1; i <= (c + 1) * RULES_PER_RESTORE; i++) {
        b.append(
            String.format(
                "-A INPUT -s 10.%d.%d.%d/32 -j DROP%n", i >> 16 & 255, i >> 8 & 255, i & 255));
      }
      b.append("COMMIT\n");
      Path f = dir.resolve(String.format("rules.%04d.txt", c));
      Files.writeString(f, b);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private record Collect(int exitCode, String stderr, List<JsonNode> lines, long peakRssKib) {
    List<JsonNode> samples(String topic, String netns) {
      return lines.stream()
          .filter(l -> l.path("topic").asText().equals(topic))
          .filter(l -> l.path("netns").asText().equals(netns))
          .toList();
    }
  }

  /**
   * One cycle of the real agent as the launcher runs it, its RSS watched: the slim jar, the
   * launcher's JVM flags and glibc setting, and a class-data archive made the launcher's way (by
   * one cycle of the same command, before the attack).
   */
  private Collect collectOnce() throws Exception {
    assertThat(AGENT_JAR).as("the agent's jar (mvn package)").exists();
    Path archive = dir.resolve("agent.jsa");
    List<String> train = agentCycle("-XX:ArchiveClassesAtExit=" + archive, dir.resolve("train"));
    assertThat(run(train)).as("the training cycle: %s", train).isZero();
    assertThat(archive).as("the class-data archive").exists();

    Path out = dir.resolve("collect.out");
    Path err = dir.resolve("collect.err");
    List<String> cmd = agentCycle("-XX:SharedArchiveFile=" + archive, dir.resolve("data"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    Process p = pb.start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    long peak = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (p.isAlive() && System.nanoTime() < deadline) {
      peak = Math.max(peak, vmHwmKib(status));
      Thread.sleep(20); // sampling the child's memory while it runs
    }
    if (p.isAlive()) {
      p.destroyForcibly();
    }
    int rc = p.waitFor();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      }
    }
    return new Collect(
        rc,
        readOrEmpty(err) + readOrEmpty(out).lines().filter(l -> !l.startsWith("{")).toList(),
        lines,
        peak);
  }

  /**
   * The JVM flags the launcher gives {@code culprit collect} (its {@code default_opts} for the
   * agent), so this test measures the agent as hosts run it.
   */
  /**
   * The command line of one cycle of the agent as the launcher runs it ({@code java}, the
   * launcher's flags, then {@code cdsOption}) writing to {@code dataDir}.
   */
  private static List<String> agentCycle(String cdsOption, Path dataDir) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(launcherAgentFlags());
    cmd.addAll(List.of(cdsOption, "-Xlog:cds*=off", "-jar", AGENT_JAR.toString()));
    cmd.addAll(List.of("collect", "--once", "--json", "--docker-host", "none"));
    cmd.addAll(List.of("--data-dir", dataDir.toString()));
    return cmd;
  }

  private static List<String> launcherAgentFlags() throws IOException {
    for (String line : Files.readAllLines(LAUNCHER)) {
      if (line.startsWith("  default_opts=\"-")) {
        String flags = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
        return List.of(flags.trim().split("\\s+"));
      }
    }
    throw new IllegalStateException("no agent flags (  default_opts=\"...\") in " + LAUNCHER);
  }

  /** The process's peak resident set so far ({@code VmHWM}), KiB; 0 once it has exited. */
  private static long vmHwmKib(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // exited between two reads
    }
    return 0;
  }

  private static String readOrEmpty(Path p) {
    try {
      String s = Files.readString(p);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "";
    }
  }

  private static long uid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return Long.parseLong(line.split("\\s+")[1]);
      }
    }
    return -1;
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool))
        || Files.isExecutable(Path.of("/sbin", tool));
  }

  /**
   * {@code command} as nobody, in user and network namespaces of its own: what any local user can
   * make.
   */
  private static List<String> asNobodyInNewNamespaces(String... command) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                "unshare",
                "-Urn"));
    argv.addAll(List.of(command));
    return argv;
  }

  private static int run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
