package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.broker.EmbeddedBroker;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target/culprit-collect.jar}, the per-host agent's slim jar, as the launcher runs it (a
 * separate JVM, {@code java -jar}): it carries everything {@code collect} loads — one cycle as
 * JSON, and a live run that delivers samples to a real broker through the built-in Kafka client —
 * and nothing of the broker or Kafka Streams. Runs after {@code package} (failsafe), on the jar
 * itself: a class missing from the slim jar fails here, not on a fleet.
 */
class CollectJarIT {

  private static final Path JAR = Path.of("target", "culprit-collect.jar");
  // Failsafe runs in the app module's directory; its siblings are the other modules.
  private static final Path MODULES = Path.of("").toAbsolutePath().getParent();

  @TempDir Path dir;

  @Test
  void carriesNeitherTheBrokerNorKafkaStreams() throws IOException {
    assertThat(JAR).exists();
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      assertThat(zip.getEntry("dev/culprit/collector/publish/wire/WireProducer.class")).isNotNull();
      assertThat(zip.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class"))
          .as("the Java client stays for TLS/SASL settings")
          .isNotNull();
      assertThat(zip.getEntry("org/apache/kafka/streams/KafkaStreams.class")).isNull();
      assertThat(zip.getEntry("kafka/server/KafkaRaftServer.class")).isNull();
      assertThat(zip.getEntry("scala/Option.class")).isNull();
      assertThat(zip.size())
          .as("entries (its central directory lives on the heap)")
          .isLessThan(10_000);
    }
  }

  /**
   * Every culprit class in the jar is a main class of the agent's own modules: nothing of the lab
   * or the benchmarks, and no test class or test helper, which the shade plugin would carry in
   * silently if one of those modules were ever added to the jar's artifact set.
   */
  @Test
  void carriesOnlyTheMainClassesOfCollectorSchemasAndApp() throws IOException {
    Set<String> mainClasses = new TreeSet<>();
    for (String module : List.of("collector", "schemas", "app")) {
      mainClasses.addAll(classesUnder(MODULES.resolve(module).resolve("target/classes")));
    }
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      List<String> entries = zip.stream().map(ZipEntry::getName).toList();
      List<String> ours =
          entries.stream()
              .filter(n -> n.startsWith("dev/culprit/") && n.endsWith(".class"))
              .toList();
      assertThat(ours).contains("dev/culprit/app/Main.class");
      assertThat(ours).noneMatch(n -> n.startsWith("dev/culprit/lab/"));
      assertThat(ours).noneMatch(n -> n.startsWith("dev/culprit/bench/"));
      assertThat(ours)
          .as("test classes (a top-level class named *Test, *IT or *Bench, or one nested in it)")
          .noneMatch(n -> n.matches(".*/[^/$]*(Test|IT|Bench)(\\$[^/]*)?\\.class"));
      Set<String> foreign = new TreeSet<>(ours);
      foreign.removeAll(mainClasses);
      assertThat(foreign)
          .as("culprit classes that are not in collector, schemas or app target/classes")
          .isEmpty();
      assertThat(entries)
          .as("test libraries")
          .noneMatch(
              n ->
                  n.startsWith("org/junit/")
                      || n.startsWith("org/assertj/")
                      || n.startsWith("org/opentest4j/")
                      || n.startsWith("org/mockito/")
                      // kafka-streams-test-utils: `culprit replay`'s driver, never the agent's
                      || n.startsWith("org/apache/kafka/streams/"));
    }
  }

  @Test
  void onceJsonPrintsEverySampleTopic() throws Exception {
    Run run =
        run(List.of("collect", "--once", "--json", "--spool-dir", dir.resolve("s").toString()), 60);
    assertThat(run.exit).as("stderr: %s", run.stderr).isZero();
    Set<String> topics = new TreeSet<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : run.stdout.split("\n")) {
      if (!line.isBlank()) {
        topics.add(json.readTree(line).get("topic").asText());
      }
    }
    assertThat(topics)
        .contains(
            "culprit.samples.interface",
            "culprit.samples.protocol",
            "culprit.samples.qdisc",
            "culprit.samples.filter",
            "culprit.samples.softnet",
            "culprit.samples.collector");
  }

  @Test
  void helpNamesTheCommandAsUsersTypeIt() throws Exception {
    Run run = run(List.of("collect", "--help"), 30);
    assertThat(run.exit).isZero();
    assertThat(run.stdout).startsWith("Usage: culprit collect").contains("--bootstrap-servers");
    assertThat(run.stdout.replaceAll("\\s+", " "))
        .as("--sources help lists the catalogue")
        .contains(
            "interface, protocol, conntrack, qdisc, filter, softnet, route, dropreasons, probe,"
                + " container, kernel");
  }

  @Test
  void deliversSamplesToARealBrokerThroughTheBuiltInClient() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      Path stderr = dir.resolve("collect.stderr");
      Process collect =
          new ProcessBuilder(
                  command(
                      Cli.interfaceCollect(
                          "culprit-it-host",
                          dir.resolve("spool"),
                          "--bootstrap-servers",
                          broker.bootstrapServers())))
              .redirectOutput(dir.resolve("collect.stdout").toFile())
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      try {
        Cli.Run tail =
            Cli.run(
                "tail",
                "culprit.samples.interface",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--from-beginning",
                "--max",
                "2",
                "--timeout",
                "60s");
        assertThat(tail.exitCode())
            .as("tail: %s / collect: %s", tail.stderr(), Files.readString(stderr))
            .isZero();
        List<JsonNode> samples = new ArrayList<>();
        for (String line : tail.stdout().split("\n")) {
          samples.add(new ObjectMapper().readTree(line));
        }
        assertThat(samples).hasSize(2);
        assertThat(samples)
            .allSatisfy(s -> assertThat(s.get("host").asText()).isEqualTo("culprit-it-host"));
        assertThat(samples.get(1).get("seq").asLong())
            .isEqualTo(samples.get(0).get("seq").asLong() + 1);
        assertThat(Files.readString(stderr)).doesNotContain("Java client carries");
      } finally {
        collect.destroy();
        if (!collect.waitFor(30, TimeUnit.SECONDS)) {
          collect.destroyForcibly();
        }
      }
      assertThat(collect.exitValue())
          .as("exit after SIGTERM: %s", Files.readString(stderr))
          .isIn(0, 143);
    }
  }

  /** The {@code .class} entries below {@code classes}, as jar entry names. */
  private static Set<String> classesUnder(Path classes) throws IOException {
    assertThat(classes).as("compiled by this build").isDirectory();
    try (Stream<Path> files = Files.walk(classes)) {
      return files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> classes.relativize(p).toString().replace(File.separatorChar, '/'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run run(List<String> args, int timeoutSeconds) throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p = Cli.start(command(args), out, err);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + args + "; stderr: " + Files.readString(err));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> command(List<String> args) {
    return Cli.javaJar(JAR, "64m", args);
  }
}
