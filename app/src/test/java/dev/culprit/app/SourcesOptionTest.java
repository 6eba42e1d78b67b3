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
            "Sources to run (default: all but dropreasons, which --drop-reasons adds; probe only"
                + " with --probe): interface, protocol, conntrack, qdisc, filter, softnet, route,"
                + " dropreasons, probe, container, kernel.");
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

  @Test
  void dropReasonsAddsTheHostWideDropReasonSourceToTheOnesNamed() {
    Cli.Run r =
        Cli.run(
            "collect",
            "--data-dir",
            dataDir.toString(),
            "--once",
            "--json",
            "--sources",
            "softnet",
            "--drop-reasons",
            "--netns-include",
            "culprit-none-*");

    assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
    assertThat(r.stdout()).contains("\"culprit.samples.softnet\"");
    List<String> health =
        r.stdout().lines().filter(l -> l.contains("\"culprit.samples.collector\"")).toList();
    assertThat(health).hasSize(1);
    // As root with tracefs, the first cycle starts recording and reports its (empty) counts;
    // without, the source says why it has no data. Either way it ran, and nothing crashed.
    assertThat(health.get(0)).contains("\"source\":\"dropreasons\"");
    if (r.stdout().contains("\"culprit.samples.dropreasons\"")) {
      assertThat(r.stdout()).contains("\"drops\":0").contains("\"reason\":\"NETFILTER_DROP\"");
    } else {
      assertThat(health.get(0)).contains("NO_DATA");
    }
  }
}
