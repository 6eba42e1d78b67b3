package dev.culprit.collector.source.kernel;

import static dev.culprit.collector.testing.KernelTests.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netlink.NetnsHandleCache;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.source.protocol.ProtocolSource;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Strict reverse-path filtering made for real (root on Linux with ip): namespace A has two veths to
 * B, and B sends from its address on the second link out of the first, so A's route back leaves by
 * the other interface and rp_filter drops the packets. The protocol source must see the kernel's
 * count of them in A, the counter the processor's REVERSE_PATH_FILTER rule is built on.
 */
class ReversePathFilterKernelTest {

  private static final String A = "culprit-t-rpa";
  private static final String B = "culprit-t-rpb";
  private static final String A1 = "cu-rp1a";
  private static final String B1 = "cu-rp1b";
  private static final String A2 = "cu-rp2a";
  private static final String B2 = "cu-rp2b";
  private static final String A1_ADDR = "10.211.1.1";
  private static final String B2_ADDR = "10.211.2.2";
  private static final int SENDERS = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final NetnsShell shell = new NetnsShell();
  private final List<SocketChannel> senders = new ArrayList<>();
  private NetworkSources sources;
  private NetnsHandleCache cache;

  @BeforeAll
  static void needsRootWithIp() {
    KernelTests.assumeRootWith("ip");
  }

  @BeforeEach
  void twoNamespacesJoinedTwiceWithStrictReversePathFilteringInA() throws Exception {
    cleanUp();
    shell.addNamespaces(A, B);
    for (String[] pair : List.of(new String[] {A1, B1}, new String[] {A2, B2})) {
      shell.veth(A, pair[0], B, pair[1]);
      shell.run("ip", "-n", A, "link", "set", pair[0], "up");
      shell.run("ip", "-n", B, "link", "set", pair[1], "up");
    }
    shell.run("ip", "-n", A, "addr", "add", A1_ADDR + "/24", "dev", A1);
    shell.run("ip", "-n", A, "addr", "add", "10.211.2.1/24", "dev", A2);
    shell.run("ip", "-n", B, "addr", "add", "10.211.1.2/24", "dev", B1);
    shell.run("ip", "-n", B, "addr", "add", B2_ADDR + "/24", "dev", B2);
    shell.in(A, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
    shell.in(A, "sysctl", "-qw", "net.ipv4.conf." + A1 + ".rp_filter=1");
    // A would not answer B's ARP for a source it routes elsewhere: give B A's address outright.
    String mac = shell.in(A, "cat", "/sys/class/net/" + A1 + "/address").strip();
    shell.run(
        "ip", "-n", B, "neigh", "replace", A1_ADDR, "lladdr", mac, "dev", B1, "nud", "permanent");
    cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1));
    sources =
        NetworkSources.open(
            HostPaths.defaults(),
            shell.runner(),
            new NetworkSourceOptions(
                NetworkSourceOptions.ALL, NameFilter.all(), Duration.ofSeconds(5), 1));
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (SocketChannel s : senders) {
        s.close();
      }
      senders.clear();
      if (cache != null) {
        cache.close();
      }
      if (sources != null) {
        sources.close();
      }
    } finally {
      shell.deleteNamespaces(A, B);
    }
  }

  @Test
  void theProtocolSourceCountsWhatReversePathFilteringDropped() throws Exception {
    Netns a = named(A);
    long before = rpFiltered(a);

    // SYNs from B's second-link address out of the first link: A's way back is the second link.
    for (SocketChannel s : cache.openSocketChannels(named(B), nTimes(SENDERS))) {
      senders.add(s);
      s.configureBlocking(false);
      s.bind(new InetSocketAddress(B2_ADDR, 0));
      s.connect(new InetSocketAddress(A1_ADDR, 9));
    }

    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long after = rpFiltered(a);
    while (after - before < SENDERS && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling the kernel's counter, not waiting in its place
      after = rpFiltered(a);
    }
    assertThat(after - before)
        .as("TcpExt.IPReversePathFilter in %s", A)
        .isGreaterThanOrEqualTo(SENDERS);
  }

  private long rpFiltered(Netns netns) throws Exception {
    ProtocolSource source = new ProtocolSource(sources.access());
    ProtocolSample sample =
        (ProtocolSample)
            source.collect(netns, new Header("h", netns.label(), 0, "c", null)).get(0).value();
    Long v = sample.getCounters().get("TcpExt.IPReversePathFilter");
    assertThat(v).as("TcpExt.IPReversePathFilter reported in %s", netns.label()).isNotNull();
    return v;
  }

  private static List<java.net.ProtocolFamily> nTimes(int n) {
    List<java.net.ProtocolFamily> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(StandardProtocolFamily.INET);
    }
    return out;
  }
}
