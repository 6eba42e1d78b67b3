package dev.culprit.collector.platform.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.source.FixtureTree;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsAccessTest {

  @TempDir Path dir;

  /** Runs the command after {@code nsenter --net=X} for real, in this namespace. */
  static final class WithoutNsenter implements CommandRunner {
    final ProcessCommandRunner real = new ProcessCommandRunner();

    @Override
    public Result run(List<String> argv, Duration timeout)
        throws NoDataException, CommandException {
      assertThat(argv.get(0)).isEqualTo("nsenter");
      assertThat(argv.get(1)).startsWith("--net=");
      return real.run(argv.subList(2, argv.size()), timeout);
    }
  }

  @Test
  void readsFilesOfANamespaceWithoutProcessThroughOneRealTail() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tail")), "needs tail");
    FixtureTree tree =
        new FixtureTree(dir)
            .proc("self/net/snmp", "real/ns-a/proc-net-snmp.txt")
            .proc("self/net/netstat", "real/ns-a/proc-net-netstat.txt")
            .procText("self/net/empty", "");

    Map<String, String> files =
        tree.access(new WithoutNsenter())
            .readNetFiles(tree.withoutPid("x"), List.of("snmp", "netstat", "empty", "snmp6"));

    assertThat(files).containsOnlyKeys("snmp", "netstat", "empty");
    assertThat(files.get("snmp")).isEqualTo(Fixtures.text("real/ns-a/proc-net-snmp.txt"));
    assertThat(files.get("netstat")).isEqualTo(Fixtures.text("real/ns-a/proc-net-netstat.txt"));
    assertThat(files.get("empty")).isEmpty();
  }

  @Test
  void readsFilesOfANamespaceWithAProcessWithoutForking() throws Exception {
    // The process is still in its namespace (its ns/net resolves): a missing file is an answer.
    FixtureTree tree =
        new FixtureTree(dir)
            .proc(FixtureTree.PID + "/net/dev", "real/ns-b/proc-net-dev.txt")
            .procText(FixtureTree.PID + "/ns/net", "");
    CommandRunner noForks =
        (argv, timeout) -> {
          throw new AssertionError("forked " + argv);
        };

    Map<String, String> files =
        tree.access(noForks).readNetFiles(tree.withPid("b"), List.of("dev", "stat/nf_conntrack"));

    assertThat(files).containsOnlyKeys("dev");
  }

  @Test
  void readsANamedNamespaceOtherwiseWhenItsProcessIsExiting() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tail")), "needs tail");
    // An exiting process (a zombie) keeps its /proc directory but has no namespaces left and its
    // net files cannot be read: that says nothing about the namespace, which nsenter still reads.
    FixtureTree tree =
        new FixtureTree(dir)
            .procText(FixtureTree.PID + "/status", "State:\tZ (zombie)\n")
            .proc("self/net/dev", "real/ns-b/proc-net-dev.txt");

    Map<String, String> files =
        tree.access(new WithoutNsenter()).readNetFiles(tree.withPid("b"), List.of("dev"));

    assertThat(files.get("dev")).isEqualTo(Fixtures.text("real/ns-b/proc-net-dev.txt"));
  }

  @Test
  void reportsAVanishedNamespaceAsNoData() throws Exception {
    FixtureTree tree = new FixtureTree(dir);
    Netns gone = new Netns("gone", 9L, dir.resolve("netns/gone"), 99999, false);

    assertThatThrownBy(() -> tree.access(new WithoutNsenter()).readNetFiles(gone, List.of("dev")))
        .isInstanceOf(NoDataException.class)
        .hasMessageContaining("gone");
  }

  @Test
  void runsCommandsDirectlyOnlyInItsOwnNamespace() throws Exception {
    FixtureTree tree = new FixtureTree(dir);
    NetnsAccess access =
        new NetnsAccess(tree.paths(), new WithoutNsenter(), Duration.ofSeconds(1), 7L);

    assertThat(access.inNetns(tree.withPid("own"), List.of("tc", "-j")))
        .containsExactly("tc", "-j");
    assertThat(access.inNetns(tree.withoutPid("other"), List.of("tc")))
        .containsExactly("nsenter", "--net=" + dir.resolve("netns/culprit-fx"), "tc");
  }

  @Test
  void reportsANamespaceThatVanishedDuringACommandAsNoData() throws Exception {
    FixtureTree tree = new FixtureTree(dir);
    Netns gone = new Netns("gone", 9L, dir.resolve("netns/gone"), null, false);
    CommandRunner nsenterFails =
        (argv, timeout) -> {
          throw new CommandRunner.CommandException("nsenter: cannot open " + argv.get(1));
        };

    assertThatThrownBy(() -> tree.access(nsenterFails).run(gone, List.of("tc", "qdisc")))
        .isInstanceOf(NoDataException.class)
        .hasMessageContaining("gone");
  }
}
