package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.records.InterfaceSample;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.source.PerNamespaceLimits;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.CountingCommandRunner;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A namespace anyone can make ({@code unshare -Urn}) with more interfaces or firewall rules than
 * the agent samples: the sources say so (NO_DATA with the count) instead of holding it all, the
 * filter source without forking a listing at every cycle, and sample the namespace again once it is
 * back within the limits.
 */
class PerNamespaceLimitsKernelTest {

  private static final String NS = "culprit-t-lim";
  private final NetnsShell shell = new NetnsShell();

  @BeforeAll
  static void needsTheKernel() {
    KernelTests.assumeRootWith("ip", "nft", "nsenter");
  }

  @AfterEach
  void cleanUp() {
    shell.deleteNamespaces(NS);
  }

  @Test
  void tooManyInterfacesOrRulesAreReportedWithTheirCountNotHeld() throws Exception {
    cleanUp();
    shell.addNamespaces(NS);
    int pairs = PerNamespaceLimits.MAX_INTERFACES / 2 + 3; // veth pairs: dummy may be absent
    shell.run(
        "sh",
        "-c",
        "for i in $(seq 1 "
            + pairs
            + "); do echo \"link add cu-v$i type veth peer name cu-p$i\"; done | ip -n "
            + NS
            + " -batch -");
    int rules = 5_001;
    Path ruleset = Files.createTempFile("culprit-t-lim-", ".nft");
    try {
      StringBuilder nft = new StringBuilder("table inet culprit_lim {\n chain input {\n");
      nft.append("  type filter hook input priority 10;\n");
      for (int i = 0; i < rules; i++) {
        nft.append("  tcp dport ").append(1 + i % 60000).append(" counter accept\n");
      }
      nft.append(" }\n}\n");
      Files.writeString(ruleset, nft);
      shell.in(NS, "nft", "-f", ruleset.toString());
    } finally {
      Files.deleteIfExists(ruleset);
    }

    HostPaths paths = HostPaths.defaults();
    Netns netns = NetnsShell.find(paths, NS);
    CountingCommandRunner forks = new CountingCommandRunner(shell.runner());
    NetworkSourceOptions options =
        NetworkSourceOptions.defaults().withEnabled(Set.of("interface", "qdisc", "filter"));
    try (NetworkSources sources = NetworkSources.open(paths, forks, options)) {
      assertThat(sources.usesNetlink()).as(sources.readPath()).isTrue();
      Header header = new Header("h", NS, 1L, "c", null);
      int links = 2 * pairs + 1; // and lo
      assertThatThrownBy(() -> source(sources, "interface").collect(netns, header))
          .isInstanceOf(NoDataException.class)
          .hasMessage(
              "too large: %d interfaces, more than the %d sampled per namespace",
              links, PerNamespaceLimits.MAX_INTERFACES);
      assertThatThrownBy(() -> source(sources, "qdisc").collect(netns, header))
          .isInstanceOf(NoDataException.class)
          .hasMessageStartingWith("too large: " + links + " interfaces");

      Source filter = source(sources, "filter");
      for (int cycle = 0; cycle < 2; cycle++) {
        assertThatThrownBy(() -> filter.collect(netns, header))
            .isInstanceOf(NoDataException.class)
            .hasMessage(
                "too large: %d firewall rules (nf_tables), more than the 5000 sampled per"
                    + " namespace",
                rules);
      }
      assertThat(forks.calls).as("no listing forked for a ruleset known too large").isEmpty();

      // Back within the limits: sampled again.
      shell.in(NS, "nft", "delete", "table", "inet", "culprit_lim");
      shell.in(NS, "nft", "add", "table", "inet", "culprit_lim");
      shell.run(
          "sh",
          "-c",
          "for i in $(seq 1 5); do echo \"link del cu-v$i\"; done | ip -n " + NS + " -batch -");
      InterfaceSample interfaces =
          (InterfaceSample) source(sources, "interface").collect(netns, header).get(0).value();
      assertThat(interfaces.getInterfaces()).hasSize(links - 10);
      FilterSample sampled = (FilterSample) filter.collect(netns, header).get(0).value();
      assertThat(sampled.getRules()).isEmpty();

      // A namespace that is gone leaves nothing behind in the source.
      filter.retainOnly(List.of());
    } finally {
      cleanUp();
    }
  }

  private static Source source(NetworkSources sources, String name) {
    return sources.sources().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }
}
