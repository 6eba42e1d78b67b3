package dev.culprit.collector.platform.netlink;

import static dev.culprit.collector.testing.KernelTests.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The namespace thread and handle cache against real namespaces (root on Linux). */
class NetnsHandleCacheKernelTest {

  private static final String NS = "culprit-t-nl";
  private static final String OTHER = "culprit-t-nl2";
  private static final String HOST_VETH = "cut-nl-h";
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final NetnsShell shell = new NetnsShell();

  @BeforeAll
  static void needsRootOnLinux() {
    KernelTests.assumeRootWith("ip");
  }

  @BeforeEach
  void namespaces() throws Exception {
    cleanUp();
    shell.addNamespaces(NS, OTHER);
    shell.run("ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", "cut-nl-n");
    shell.run("ip", "link", "set", "cut-nl-n", "netns", NS);
  }

  @AfterEach
  void cleanUp() {
    shell.deleteNamespaces(NS, OTHER);
    shell.quietly("ip", "link", "del", HOST_VETH);
  }

  @Test
  void readsAnotherNamespaceWhileEveryThreadStaysInTheCollectorsOwn() throws Exception {
    long home = NsInode.of(Path.of("/proc/self/ns/net"));
    try (NetnsHandleCache cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1))) {
      NetnsHandles handles = cache.handles(named(NS));
      List<NlLink> links = new ArrayList<>();
      handles.dump(DumpRequest.LINKS, LinkMessages.collectInto(links));

      assertThat(links).extracting(NlLink::name).containsExactly("lo", "cut-nl-n");
      assertThat(handles.readNetFiles(List.of("snmp", "dev")).get("dev"))
          .contains("cut-nl-n")
          .doesNotContain(HOST_VETH);
      assertThat(cache.homeInode()).isEqualTo(home);
      assertThat(threadNamespaces()).allSatisfy((tid, inode) -> assertThat(inode).isEqualTo(home));
    }
  }

  @Test
  void closesTheHandlesOfADeletedNamespaceSoTheKernelCanFreeIt() throws Exception {
    try (NetnsHandleCache cache = NetnsHandleCache.open(Duration.ZERO, Duration.ofHours(1))) {
      Netns host = new Netns("", cache.homeInode(), Path.of("/proc/self/ns/net"), null, true);
      cache.handles(named(NS)).readNetFiles(List.of("snmp"));
      assertThat(cache.openNamespaces()).isEqualTo(2);

      shell.run("ip", "netns", "del", NS);

      // Our socket and files held the namespace, and with it the veth pair; once the sweep closes
      // them the kernel destroys the namespace, and the host end of the veth goes with it.
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline
          && (cache.openNamespaces() > 1 || Files.exists(Path.of("/sys/class/net", HOST_VETH)))) {
        cache.handles(host);
        Thread.sleep(10); // polling the condition, not waiting in its place
      }
      assertThat(cache.openNamespaces()).isEqualTo(1);
      assertThat(Path.of("/sys/class/net", HOST_VETH)).doesNotExist();
    }
  }

  @Test
  void aNamespaceThreadThatCannotGetHomeRetiresAndIsNeverUsedAgain() throws Exception {
    long home = NsInode.of(Path.of("/proc/self/ns/net"));
    Netns target = named(NS);
    // Its "way home" leads into OTHER: after the first switch it ends up in the wrong namespace.
    NetnsSwitcher switcher = NetnsSwitcher.start(Path.of("/var/run/netns", OTHER));
    try {
      long inside =
          switcher.inside(
              target.nsPath(), target.inode(), () -> NsInode.of(NetnsSwitcher.THREAD_NS));

      assertThat(inside).isEqualTo(target.inode());
      assertThat(switcher.broken()).contains("not " + home);
      assertThat(switcher.terminated()).isTrue();
      assertThatThrownBy(() -> switcher.inside(target.nsPath(), target.inode(), () -> 1L))
          .isInstanceOf(NetlinkException.class)
          .hasMessageContaining("retired");
      // The retired thread has ended; the kernel may list it for a moment longer. Then every
      // thread is home.
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline
          && threadNamespaces().values().stream().anyMatch(inode -> inode != home)) {
        Thread.sleep(10); // polling the condition, not waiting in its place
      }
      assertThat(threadNamespaces()).allSatisfy((tid, inode) -> assertThat(inode).isEqualTo(home));
    } finally {
      switcher.close();
    }
  }

  @Test
  void aThreadStartedWhileAwayIsCaughtAndSwitchingStops() throws Exception {
    Netns target = named(NS);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread[] stray = new Thread[1];
    NetnsSwitcher switcher = NetnsSwitcher.start();
    try {
      switcher.inside(
          target.nsPath(),
          target.inode(),
          () -> {
            // what a lazily started JDK helper thread would do: inherit the foreign namespace
            java.util.concurrent.CountDownLatch running =
                new java.util.concurrent.CountDownLatch(1);
            stray[0] =
                new Thread(
                    () -> {
                      running.countDown();
                      awaitQuietly(release);
                    },
                    "culprit-test-stray");
            stray[0].start();
            // The kernel copies the parent's comm at clone; the JVM renames the task just before
            // run(), so wait for run() or the report may still show the switcher's name.
            awaitQuietly(running);
            return null;
          });

      // Named in the message only by the name the kernel shows: until the JVM has set the stray
      // thread's own, that is the one inherited from the namespace thread. What counts is that
      // it was caught.
      assertThat(switcher.broken()).contains("threads outside the collector's namespace");
      assertThatThrownBy(() -> switcher.inside(target.nsPath(), target.inode(), () -> 1L))
          .isInstanceOf(NetlinkException.class);
    } finally {
      release.countDown();
      if (stray[0] != null) {
        stray[0].join();
      }
      switcher.close();
    }
  }

  @Test
  void aNamespaceThatIsGoneIsNoData() throws Exception {
    try (NetnsHandleCache cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1))) {
      Netns ns = named(NS);
      shell.run("ip", "netns", "del", NS);

      assertThatThrownBy(() -> cache.handles(ns))
          .isInstanceOf(dev.culprit.collector.spi.NoDataException.class);
    }
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Thread id → network namespace inode, for every thread of this JVM. */
  private static Map<String, Long> threadNamespaces() throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          out.put(task.getFileName().toString(), NsInode.of(task.resolve("ns/net")));
        } catch (java.io.IOException exited) {
          // a thread that ended while we listed
        }
      }
    }
    return out;
  }
}
