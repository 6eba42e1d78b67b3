package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.NetnsKind;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.protocol.ProtocolSource;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NetnsName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProcNamespaceFinderKernelTest {

  @BeforeAll
  static void needsTheKernel() {
    VethNamespacePair.assumeUsable();
  }

  @Test
  void findsHostNamedAndProcessOnlyNamespacesWithTheirPids() throws Exception {
    Process unnamed = null;
    try (VethNamespacePair lab = new VethNamespacePair()) {
      lab.up(1500);
      lab.httpd(VethNamespacePair.A, VethNamespacePair.ADDR_A);
      // A namespace only a process holds, like a container's.
      unnamed = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
      long unnamedInode = awaitOwnNetns(unnamed.pid());

      HostPaths paths = HostPaths.defaults();
      // `ip netns exec` enters A a moment after it starts: until then httpd's pid is the host's.
      List<Netns> all = new ProcNamespaceFinder(paths).find();
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
      while (byLabel(all, VethNamespacePair.A).pid() == null && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling the condition, not waiting in its place
        all = new ProcNamespaceFinder(paths).find();
      }

      Netns host = all.get(0);
      assertThat(host.label()).isEmpty();
      assertThat(host.host()).isTrue();
      assertThat(host.inode()).isEqualTo(hostInode());
      Netns a = byLabel(all, VethNamespacePair.A);
      Netns b = byLabel(all, VethNamespacePair.B);
      assertThat(a.pid()).as("httpd lives in A").isNotNull();
      assertThat(NsInode.of(Path.of("/proc/" + a.pid() + "/ns/net"))).isEqualTo(a.inode());
      assertThat(b.pid()).as("nothing lives in B").isNull();
      assertThat(b.nsPath()).isEqualTo(paths.netnsDir().resolve(VethNamespacePair.B));
      Netns sleeper = all.stream().filter(n -> n.inode() == unnamedInode).findFirst().orElseThrow();
      assertThat(sleeper.label()).isEqualTo("netns-" + unnamedInode + "-sleep");
      assertThat(sleeper.pid()).isEqualTo((int) unnamed.pid());
      assertThat(all).extracting(Netns::inode).doesNotHaveDuplicates();

      // The labeller names process namespaces (the container source's hook); filters drop labels.
      long sleeperPid = unnamed.pid();
      List<Netns> filtered =
          new ProcNamespaceFinder(
                  paths,
                  NameFilter.of(List.of(), List.of(VethNamespacePair.B, "netns-*")),
                  pid ->
                      pid == sleeperPid
                          ? Optional.of(new NetnsName("web-1", NetnsKind.DOCKER_CONTAINER))
                          : Optional.empty())
              .find();
      assertThat(filtered).extracting(Netns::label).contains("", VethNamespacePair.A, "web-1");
      // Each says where its label came from, which decides how a printed fix enters it.
      assertThat(byLabel(filtered, "").kind()).isEqualTo(NetnsKind.HOST);
      assertThat(byLabel(filtered, VethNamespacePair.A).kind()).isEqualTo(NetnsKind.NAMED_NETNS);
      assertThat(byLabel(filtered, "web-1").kind()).isEqualTo(NetnsKind.DOCKER_CONTAINER);
      assertThat(sleeper.kind()).isEqualTo(NetnsKind.PROCESS);
      assertThat(filtered).extracting(Netns::label).doesNotContain(VethNamespacePair.B);
      assertThat(filtered).extracting(Netns::label).noneMatch(l -> l.startsWith("netns-"));

      // A namespace without a process is read through nsenter and shows its own counters.
      lab.get(VethNamespacePair.B, VethNamespacePair.ADDR_A);
      NetnsAccess access =
          new NetnsAccess(paths, new ProcessCommandRunner(), Duration.ofSeconds(10));
      Header header = new Header("h", VethNamespacePair.B, 1L, "c", null);
      Map<String, Long> bCounters =
          ((ProtocolSample) new ProtocolSource(access).collect(b, header).get(0).value())
              .getCounters();
      assertThat(bCounters.get("Tcp.ActiveOpens")).isPositive();
      assertThat(bCounters).containsKey("Ip6.InReceives").containsKey("TcpExt.ListenOverflows");
    } finally {
      if (unnamed != null) {
        unnamed.destroyForcibly();
        unnamed.waitFor();
      }
    }
  }

  /** Waits (bounded) until unshare has switched the child into its new namespace. */
  private static long awaitOwnNetns(long pid) throws Exception {
    long host = hostInode();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      long inode = NsInode.of(Path.of("/proc/" + pid + "/ns/net"));
      if (inode != host && "sleep".equals(comm(pid))) {
        return inode;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("unshare did not enter a new namespace");
  }

  /** pid 1's namespace, or ours where pid 1 is not ours to read (a sandbox's init). */
  private static long hostInode() throws Exception {
    try {
      return NsInode.of(Path.of("/proc/1/ns/net"));
    } catch (java.io.IOException e) {
      return NsInode.of(Path.of("/proc/self/ns/net"));
    }
  }

  private static String comm(long pid) throws Exception {
    return java.nio.file.Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
  }

  private static Netns byLabel(List<Netns> all, String label) {
    return all.stream().filter(n -> n.label().equals(label)).findFirst().orElseThrow();
  }
}
