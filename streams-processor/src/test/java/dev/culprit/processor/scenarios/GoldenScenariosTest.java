package dev.culprit.processor.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.RootCause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden scenario through the whole topology: the events must be exactly those in {@code
 * src/test/resources/golden/<name>.jsonl} (one JSON line per event; an empty file for a near miss).
 * After an intended change, run with {@code -Dculprit.golden.update=true} to rewrite the files,
 * then review the diff before committing.
 */
class GoldenScenariosTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Stream<Scenario> scenarios() {
    List<Scenario> all = new ArrayList<>();
    all.addAll(SeedScenarios.all());
    all.addAll(LinkScenarios.all());
    all.addAll(StackScenarios.all());
    all.addAll(ChainScenarios.all());
    all.addAll(ProbeScenarios.all());
    all.addAll(OutageScenarios.all());
    all.addAll(RoutingScenarios.all());
    all.addAll(DropReasonScenarios.all());
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void emitsExactlyTheGoldenEvents(Scenario scenario) throws IOException {
    List<RootCause> causes;
    ProcessorConfig config =
        ProcessorConfig.defaults("ttd:9092").withWindow(scenario.window(), Duration.ofSeconds(2));
    try (TopologyHarness harness = new TopologyHarness(config)) {
      scenario.run().accept(harness);
      causes = harness.causes();
      assertThat(harness.deadLetters()).as("dead letters").isEmpty();
    }
    String actual =
        causes.stream().map(c -> JsonRenderer.toJson(c) + "\n").collect(Collectors.joining());
    Path file = GOLDEN.resolve(scenario.name() + ".jsonl");
    if (Boolean.getBoolean("culprit.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual);
      return;
    }
    assertThat(file)
        .as("golden file (run with -Dculprit.golden.update=true to create it)")
        .exists();
    assertThat(actual).as(scenario.why()).isEqualTo(Files.readString(file));
  }
}
