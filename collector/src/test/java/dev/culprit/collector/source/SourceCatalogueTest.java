package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;
import dev.culprit.collector.records.WireTopic;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Source;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceCatalogueTest {

  @TempDir Path dir;

  @Test
  void listsEverySourceOnceInPublishingOrder() {
    assertThat(SourceCatalogue.names())
        .containsExactly(
            "interface",
            "protocol",
            "conntrack",
            "qdisc",
            "filter",
            "softnet",
            "route",
            "dropreasons",
            "probe",
            "container",
            "kernel");
  }

  @Test
  void givesEverySampleTopicButTheCollectorsOwnHealthToExactlyOneSource() {
    List<WireTopic<?>> published =
        SourceCatalogue.ALL.stream().<WireTopic<?>>map(SourceSpec::topic).toList();

    assertThat(published).doesNotHaveDuplicates();
    assertThat(published)
        .containsExactlyInAnyOrderElementsOf(
            WireTopics.all().stream().filter(t -> t != WireTopics.COLLECTOR).toList());
  }

  @Test
  void enablesTheDefaultSourcesWhenNoneAreNamedAndRejectsUnknownNamesListingTheKnown() {
    assertThat(SourceCatalogue.enabled(List.of())).contains("softnet", "interface", "kernel");
    assertThat(SourceCatalogue.enabled(List.of("softnet"))).containsExactly("softnet");
    // Tracing the kernel's drop reasons is asked for (--drop-reasons), never on by default.
    assertThat(SourceCatalogue.enabled(List.of())).doesNotContain("dropreasons");

    assertThatThrownBy(() -> SourceCatalogue.enabled(List.of("softnet", "sofnet")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'sofnet'")
        .hasMessageContaining("known: interface, protocol, conntrack, qdisc, filter, softnet");
  }

  @Test
  void networkOptionsAcceptTheNetworkGroupIncludingTheHostWideSoftnetSource() {
    assertThat(NetworkSourceOptions.ALL)
        .containsExactly(
            "interface", "protocol", "conntrack", "qdisc", "filter", "softnet", "route");
    assertThatThrownBy(() -> NetworkSourceOptions.defaults().withEnabled(Set.of("container")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildsOnlyTheEnabledSourcesWithTheScopeTheirEntrySays() throws Exception {
    FixtureTree tree = new FixtureTree(dir);
    NetworkSourceOptions options = NetworkSourceOptions.defaults().withNetlink(false);
    SourceContext context =
        SourceContext.forNetwork(tree.paths(), tree.access(new ReplayingCommandRunner()), options);

    List<Source> built = SourceCatalogue.build(context, Set.of("softnet", "conntrack", "probe"));

    // Probe has no targets here, so its factory builds nothing.
    assertThat(built).extracting(Source::name).containsExactly("conntrack", "softnet");
    for (Source source : built) {
      assertThat(source.scope())
          .isEqualTo(SourceCatalogue.byName(source.name()).orElseThrow().scope());
    }
  }

  @Test
  void fixtureCaptureTakesItsFilesAndCommandsFromTheCatalogue() {
    assertThat(FixtureCapture.NET_FILES)
        .contains("dev", "snmp", "stat/nf_conntrack")
        // Host-wide: captured once, in the host folder, not per namespace.
        .doesNotContain("softnet_stat");
    assertThat(FixtureCapture.HOST_FILES)
        .contains(
            "net/softnet_stat",
            "sys/net/core/netdev_max_backlog",
            "sys/net/netfilter/nf_conntrack_max");
    assertThat(FixtureCapture.hostFileName("net/softnet_stat"))
        .isEqualTo("proc-net-softnet_stat.txt");
    assertThat(FixtureCapture.hostFileName("sys/net/netfilter/nf_conntrack_max"))
        .isEqualTo("nf_conntrack_max.txt");
    assertThat(FixtureCapture.COMMANDS)
        .containsKeys("tc-s-j-qdisc-show.json", "nft-j-list-ruleset.json");
  }
}
