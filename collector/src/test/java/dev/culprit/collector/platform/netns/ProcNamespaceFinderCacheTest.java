package dev.culprit.collector.platform.netns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.FixtureTree;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NetnsName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The finder's pid → namespace cache on a fake procfs of namespace links. */
class ProcNamespaceFinderCacheTest {

  @TempDir Path root;
  private final AtomicLong nanos = new AtomicLong();
  private ProcNamespaceFinder finder;

  @BeforeEach
  void proc() throws Exception {
    HostPaths paths = FixtureTree.pathsUnder(root);
    process(1, 1000);
    process(300, 2000);
    finder =
        new ProcNamespaceFinder(
            paths,
            NameFilter.all(),
            pid -> Optional.of(new NetnsName("p" + pid, null)),
            Duration.ofSeconds(10),
            nanos::get);
  }

  @Test
  void seesNewProcessesAtOnceAndForgetsThoseThatExit() throws Exception {
    assertThat(inodes()).containsExactly(1000L, 2000L);

    process(400, 3000);
    assertThat(inodes()).containsExactly(1000L, 2000L, 3000L);

    Files.delete(root.resolve("proc/300/ns/net"));
    Files.delete(root.resolve("proc/300/ns"));
    Files.delete(root.resolve("proc/300"));
    assertThat(inodes()).containsExactly(1000L, 3000L);
  }

  @Test
  void rereadsAKnownProcessOnlyAfterTheRecheckPeriod() throws Exception {
    assertThat(inodes()).containsExactly(1000L, 2000L);
    Files.delete(root.resolve("proc/300/ns/net"));
    Files.createSymbolicLink(root.resolve("proc/300/ns/net"), Path.of("net:[2500]"));

    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(inodes()).containsExactly(1000L, 2000L); // trusted: no readlink this cycle

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(inodes()).containsExactly(1000L, 2500L);
  }

  private List<Long> inodes() throws Exception {
    return finder.find().stream().map(Netns::inode).sorted().toList();
  }

  private void process(int pid, long inode) throws Exception {
    Path ns = root.resolve("proc").resolve(Integer.toString(pid)).resolve("ns");
    Files.createDirectories(ns);
    Files.createSymbolicLink(ns.resolve("net"), Path.of("net:[" + inode + "]"));
  }
}
