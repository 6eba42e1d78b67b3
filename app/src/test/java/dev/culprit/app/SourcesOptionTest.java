package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sources}: its names, help and validation come from the collector's catalogue. */
class SourcesOptionTest {

  @TempDir Path dataDir;

  @Test
  void theHelpListsEveryCatalogueSourceIncludingSoftnet() {
    Cli.Run r = Cli.run("collect", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().replaceAll("\\s+", " "))
        .contains(
            "Sources to run (default: all; probe only with --probe): interface, protocol,"
                + " conntrack, qdisc, filter, softnet, route, probe, container, kernel.");
  }

  @Test
  void anUnknownSourceIsAUserErrorListingTheKnownOnes() {
    Cli.Run r = Cli.run("collect", "--data-dir", dataDir.toString(), "--sources", "softnet,sofnet");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("--sources: unknown source 'sofnet'; known: interface,")
        .contains("softnet")
        .doesNotContain("Exception");
  }

  @Test
  void collectOnceWithOnlySoftnetPrintsOneHostWideSample() {
    Cli.Run r =
        Cli.run(
            "collect",
            "--data-dir",
            dataDir.toString(),
            "--once",
            "--json",
            "--sources",
            "softnet",
            "--netns-include",
            "culprit-none-*");

    assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
    List<String> softnet =
        r.stdout().lines().filter(l -> l.contains("\"culprit.samples.softnet\"")).toList();
    assertThat(softnet).hasSize(1);
    assertThat(softnet.get(0)).contains("\"netns\":\"\"").contains("\"cpus\":[{\"cpu\":0");
    assertThat(r.stdout()).doesNotContain("culprit.samples.interface");
  }
}
