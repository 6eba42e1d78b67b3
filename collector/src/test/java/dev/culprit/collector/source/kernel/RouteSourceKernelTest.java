package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.NeighbourEntry;
import dev.culprit.collector.records.RouteEntry;
import dev.culprit.collector.records.RouteSample;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The route source against a real namespace: the routes that refuse traffic (each type, another
 * table, IPv6), the default route with its gateway, and a next hop nobody answers, in the state the
 * kernel gives it once traffic is sent to it; the host-wide neighbour-table counters only in the
 * host namespace's sample.
 */
class RouteSourceKernelTest {

  private static final String NS = "culprit-t-route";
  private static final String PEER_NS = "culprit-t-route2";
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private final NetnsShell shell = new NetnsShell();

  @BeforeAll
  static void needsTheKernel() {
    KernelTests.assumeRootWith("ip", "busybox");
  }

  @AfterEach
  void cleanUp() {
    shell.deleteNamespaces(NS, PEER_NS);
  }

  @Test
  void refusingRoutesTheDefaultRouteAndAnUnansweredNextHop() throws Exception {
    cleanUp();
    shell.addNamespaces(NS, PEER_NS);
    shell.veth(NS, "cu-rt-a", PEER_NS, "cu-rt-b");
    shell.in(NS, "ip", "addr", "add", "10.77.0.1/24", "dev", "cu-rt-a");
    shell.in(NS, "ip", "link", "set", "cu-rt-a", "up");
    shell.in(PEER_NS, "ip", "addr", "add", "10.77.0.2/24", "dev", "cu-rt-b");
    shell.in(PEER_NS, "ip", "link", "set", "cu-rt-b", "up");
    shell.in(NS, "ip", "route", "add", "default", "via", "10.77.0.2");
    shell.in(NS, "ip", "route", "add", "blackhole", "10.90.1.0/24");
    shell.in(NS, "ip", "route", "add", "unreachable", "10.90.2.0/24");
    shell.in(NS, "ip", "route", "add", "prohibit", "10.90.3.0/24", "table", "100");
    shell.in(NS, "ip", "-6", "route", "add", "blackhole", "fd99::/64");
    shell.in(NS, "ip", "route", "add", "10.92.0.0/24", "via", "10.77.0.99");
    // Traffic to the dead next hop: its entry goes INCOMPLETE, then FAILED after the probes.
    shell.in(NS, "sh", "-c", "busybox ping -c 1 -W 1 10.92.0.5 || true");

    HostPaths paths = HostPaths.defaults();
    Netns netns = NetnsShell.find(paths, NS);
    NetworkSourceOptions options = NetworkSourceOptions.defaults().withEnabled(Set.of("route"));
    try (NetworkSources sources = NetworkSources.open(paths, shell.runner(), options)) {
      assertThat(sources.usesNetlink()).as(sources.readPath()).isTrue();
      Source source = sources.sources().get(0);
      assertThat(source.name()).isEqualTo("route");
      RouteSample sample = sample(source, netns, NS);

      assertThat(sample.getRouteCount()).isGreaterThanOrEqualTo(6);
      assertThat(sample.getDefaultRouteV4()).isTrue();
      assertThat(sample.getDefaultRouteV6()).isFalse();
      assertThat(sample.getRoutes())
          .extracting(
              RouteEntry::getFamily,
              RouteEntry::getType,
              RouteEntry::getDestination,
              RouteEntry::getTable,
              RouteEntry::getGateway)
          .contains(
              org.assertj.core.groups.Tuple.tuple(
                  "inet", "unicast", "0.0.0.0/0", 254L, "10.77.0.2"),
              org.assertj.core.groups.Tuple.tuple("inet", "blackhole", "10.90.1.0/24", 254L, null),
              org.assertj.core.groups.Tuple.tuple(
                  "inet", "unreachable", "10.90.2.0/24", 254L, null),
              org.assertj.core.groups.Tuple.tuple("inet", "prohibit", "10.90.3.0/24", 100L, null),
              org.assertj.core.groups.Tuple.tuple("inet6", "blackhole", "fd99::/64", 254L, null));
      assertThat(sample.getRoutes())
          .as("routes that forward, other than the default, are only counted")
          .noneMatch(r -> r.getDestination().equals("10.92.0.0/24"));
      int ifindex = Integer.parseInt(shell.in(NS, "cat", "/sys/class/net/cu-rt-a/ifindex").strip());
      assertThat(sample.getNeighbours())
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.getFamily()).isEqualTo("inet");
                assertThat(n.getAddress()).isEqualTo("10.77.0.99");
                assertThat(n.getIfindex()).isEqualTo(ifindex);
                assertThat(n.getState()).isIn("INCOMPLETE", "FAILED");
                assertThat(n.getUsedAgoMs()).isBetween(0L, DEADLINE.toMillis());
              });
      assertThat(sample.getArpResFailed()).as("host-wide: only in the host's sample").isNull();

      Netns host =
          new Netns(
              "",
              NsInode.of(Path.of("/proc/self/ns/net")),
              Path.of("/proc/self/ns/net"),
              null,
              true);
      RouteSample hostSample = sample(source, host, "");
      assertThat(hostSample.getArpResFailed()).isNotNull();
      assertThat(hostSample.getArpUnresolvedDiscards()).isNotNull();
      assertThat(hostSample.getNdiscResFailed()).isNotNull();
    } finally {
      cleanUp();
    }
  }

  @Test
  void theNextHopThatNeverAnsweredIsFailedOnceItsProbesRanOut() throws Exception {
    cleanUp();
    shell.addNamespaces(NS, PEER_NS);
    shell.veth(NS, "cu-rt-a", PEER_NS, "cu-rt-b");
    shell.in(NS, "ip", "addr", "add", "10.77.0.1/24", "dev", "cu-rt-a");
    shell.in(NS, "ip", "link", "set", "cu-rt-a", "up");
    shell.in(NS, "sh", "-c", "busybox ping -c 1 -W 1 10.77.0.99 || true");
    HostPaths paths = HostPaths.defaults();
    Netns netns = NetnsShell.find(paths, NS);
    NetworkSourceOptions options = NetworkSourceOptions.defaults().withEnabled(Set.of("route"));
    try (NetworkSources sources = NetworkSources.open(paths, shell.runner(), options)) {
      Source source = sources.sources().get(0);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      List<NeighbourEntry> neighbours;
      do {
        neighbours = sample(source, netns, NS).getNeighbours();
      } while (!neighbours.isEmpty()
          && !neighbours.get(0).getState().equals("FAILED")
          && System.nanoTime() < deadline
          && pause());
      assertThat(neighbours)
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.getState()).isEqualTo("FAILED");
                assertThat(n.getProbes()).isGreaterThanOrEqualTo(1L);
              });
    } finally {
      cleanUp();
    }
  }

  private static boolean pause() {
    try {
      Thread.sleep(200);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static RouteSample sample(Source source, Netns netns, String label) throws Exception {
    return (RouteSample)
        source.collect(netns, new Header("h", label, 1L, "c", null)).get(0).value();
  }
}
