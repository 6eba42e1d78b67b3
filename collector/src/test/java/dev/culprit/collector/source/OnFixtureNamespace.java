package dev.culprit.collector.source;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;
import dev.culprit.collector.spi.Netns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of a source on the fixture namespace {@code culprit-fx} start from: a fresh {@link
 * FixtureTree}, the namespace seen through its fixture process, and a runner that replays captured
 * command output (and knows no command until told).
 */
abstract class OnFixtureNamespace {

  @TempDir Path dir;
  FixtureTree tree;
  Netns ns;
  final ReplayingCommandRunner runner = new ReplayingCommandRunner();

  @BeforeEach
  void fixtureNamespace() throws Exception {
    tree = new FixtureTree(dir);
    ns = tree.withPid("culprit-fx");
  }

  /** {@code argv} as a source runs it inside {@link #ns}: through nsenter. */
  List<String> inNs(String... argv) {
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + ns.nsPath()));
    full.addAll(List.of(argv));
    return full;
  }

  /**
   * Replays the nf_tables listings of {@link #ns} from these fixtures: {@code iptables-nft-save
   * -c}, {@code ip6tables-nft-save -c} and {@code nft -j list ruleset}.
   */
  ReplayingCommandRunner replayNftListings(String iptables, String ip6tables, String ruleset) {
    return runner
        .onResource(inNs("iptables-nft-save", "-c"), iptables)
        .onResource(inNs("ip6tables-nft-save", "-c"), ip6tables)
        .onResource(inNs("nft", "-j", "list", "ruleset"), ruleset);
  }
}
