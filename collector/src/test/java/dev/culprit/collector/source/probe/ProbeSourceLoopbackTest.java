package dev.culprit.collector.source.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ProbeSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Probes from the collector's own namespace over loopback: no root, no namespace thread needed. */
class ProbeSourceLoopbackTest {

  private static final Duration TIMEOUT = Duration.ofMillis(900);

  private NetnsAccess access;
  private Netns host;
  private Listener listener;

  @BeforeEach
  void hostNamespace() throws IOException {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs Linux (/proc)");
    access =
        new NetnsAccess(HostPaths.defaults(), new ProcessCommandRunner(), Duration.ofSeconds(5))
            .withNoHandlesReason("--no-netlink is set");
    Path self = Path.of("/proc/self/ns/net");
    host = new Netns("", NsInode.of(self), self, null, true);
  }

  @AfterEach
  void stopListener() throws Exception {
    if (listener != null) {
      listener.close();
    }
  }

  @Test
  void probingALoopbackListenerFromTheHostNamespaceAnswersEveryProbe() throws Exception {
    listenOnLoopback();
    ProbeSource source = source("127.0.0.1:" + listener.port());

    List<Sample> samples = source.collect(host, header(""));

    assertThat(samples).hasSize(1);
    assertThat(samples.get(0).topic()).isEqualTo(WireTopics.PROBE);
    assertThat(samples.get(0).key()).isEqualTo("h1");
    ProbeSample s = (ProbeSample) samples.get(0).value();
    assertThat(s.getNetns()).isEmpty();
    assertThat(s.getTargetAddress()).isEqualTo("127.0.0.1");
    assertThat(s.getTargetPort()).isEqualTo(listener.port());
    assertThat(s.getProtocol()).isEqualTo("tcp-connect");
    assertThat(s.getSent()).isEqualTo(5);
    assertThat(s.getAnswered()).isEqualTo(5);
    assertThat(s.getRttMinMs()).isPositive().isLessThanOrEqualTo(s.getRttAvgMs());
    assertThat(s.getRttAvgMs()).isLessThanOrEqualTo(s.getRttMaxMs());
    assertThat(s.getRttMaxMs()).isLessThan(TIMEOUT.toMillis());
    // Every probe's connection reached the listener: they were real handshakes.
    listener.awaitAccepted(5);
  }

  @Test
  void aClosedLoopbackPortAnswersEveryProbeWithARst() throws Exception {
    int port;
    try (ServerSocketChannel taken = ServerSocketChannel.open()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
    }
    ProbeSample s = only(source("127.0.0.1:" + port).collect(host, header("")));

    assertThat(s.getSent()).isEqualTo(5);
    assertThat(s.getAnswered()).isEqualTo(5);
    assertThat(s.getRttMaxMs()).isNotNull().isLessThan(TIMEOUT.toMillis());
  }

  @Test
  void anIpv6TargetIsProbedOverAnIpv6Socket() throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      listener = new Listener(server, new InetSocketAddress(InetAddress.getByName("::1"), 0));
    } catch (IOException e) {
      server.close();
      assumeTrue(false, "no IPv6 loopback here: " + e);
    }
    ProbeSample s = only(source("[::1]:" + listener.port()).collect(host, header("")));

    assertThat(s.getTargetAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(s.getAnswered()).isEqualTo(5);
  }

  @Test
  void anInterruptedRoundThrowsRatherThanReportingLosses() throws Exception {
    listenOnLoopback();
    ProbeSource source = source("127.0.0.1:" + listener.port());

    // What the collector does to a call it abandons.
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> source.collect(host, header("")))
          .isInstanceOf(InterruptedIOException.class);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aNamespaceWithoutTargetsProducesNoSample() throws Exception {
    ProbeSource source = source("culprit-t-elsewhere/127.0.0.1:9");

    assertThat(source.collect(host, header(""))).isEmpty();
  }

  @Test
  void probesFromAnotherNamespaceWithoutTheNamespaceThreadAreNoDataSayingWhy() throws Exception {
    ProbeSource source = loopbackProbedFromHostAnd("culprit-t-pro");
    Netns other = namedNetns("culprit-t-pro", 4026500001L);

    assertThatThrownBy(() -> source.collect(other, header("culprit-t-pro")))
        .isInstanceOf(NoDataException.class)
        .hasMessage(
            "probing from a namespace needs the netlink namespace thread (--no-netlink is set)");
    assertThat(only(source.collect(host, header(""))).getAnswered()).isEqualTo(5);
  }

  @Test
  void aTargetNamespaceNotOnThisHostIsWarnedAboutOnceNotEveryCycle() throws Exception {
    ProbeSource source = loopbackProbedFromHostAnd("culprit-t-absent");
    Netns absent = namedNetns("culprit-t-absent", 4026500002L);
    String warning = "probe namespace culprit-t-absent is not on this host";

    String firstCycles = stderrOf(() -> cycles(source, 1_000, 2_000, 3_000, 4_000));

    // Nothing is known after one cycle; after the second the namespace has missed a whole one.
    assertThat(firstCycles.split(warning, -1)).hasSize(2);
    assertThat(source.missingNamespaces()).containsExactly("culprit-t-absent");

    // It appears (probing from it needs the namespace thread: NO_DATA), then goes away again.
    assertThatThrownBy(() -> source.collect(absent, header(5_000, "culprit-t-absent")))
        .isInstanceOf(NoDataException.class);
    assertThat(source.missingNamespaces()).isEmpty();
    String later = stderrOf(() -> cycles(source, 5_000, 6_000, 7_000, 8_000));

    assertThat(later.split(warning, -1)).hasSize(2);
  }

  /** Starts {@link #listener} on a free port of 127.0.0.1. */
  private void listenOnLoopback() throws Exception {
    listener = new Listener(ServerSocketChannel.open(), new InetSocketAddress("127.0.0.1", 0));
  }

  /** A loopback listener, probed both from the host namespace and from {@code netns}. */
  private ProbeSource loopbackProbedFromHostAnd(String netns) throws Exception {
    listenOnLoopback();
    return source(netns + "/127.0.0.1:" + listener.port(), "127.0.0.1:" + listener.port());
  }

  /** A named namespace (of {@code ip netns}) other than the collector's own. */
  private static Netns namedNetns(String name, long inode) {
    return new Netns(name, inode, Path.of("/var/run/netns/" + name), null, false);
  }

  private void cycles(ProbeSource source, long... times) throws Exception {
    for (long t : times) {
      assertThat(only(source.collect(host, header(t, ""))).getAnswered()).isEqualTo(5);
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  /** What the logger (slf4j-simple writes to the current System.err) printed during {@code a}. */
  private static String stderrOf(Action a) throws Exception {
    PrintStream old = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      a.run();
    } finally {
      System.setErr(old);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private ProbeSource source(String... specs) {
    return new ProbeSource(
        access, List.of(specs).stream().map(ProbeTarget::parse).toList(), 5, TIMEOUT);
  }

  private static Header header(String netns) {
    return header(1_000, netns);
  }

  private static Header header(long timeMs, String netns) {
    return new Header("h1", netns, timeMs, "c1", null);
  }

  private static ProbeSample only(List<Sample> samples) {
    assertThat(samples).hasSize(1);
    return (ProbeSample) samples.get(0).value();
  }
}
