package dev.culprit.bench.collector;

import static dev.culprit.collector.testing.KernelTests.named;
import static java.net.StandardProtocolFamily.INET;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netlink.NetnsHandleCache;
import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.source.probe.ProbeSource;
import dev.culprit.collector.source.probe.ProbeTarget;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * CPU of one probe round (5 TCP connects from namespace A to a listener in namespace B across a
 * veth, sockets opened by the namespace thread) against one interface-source cycle of namespace A
 * (two netlink dumps), in the same run. Root only: it creates {@code culprit-b-pra}/{@code
 * culprit-b-prb} and removes them at the end.
 *
 * <p>CPU is the whole process's (user + system, {@code getProcessCpuTime}): a probe round spends it
 * on the calling thread, the namespace thread (setns there and back, the stray-thread check) and
 * the listener's accept thread. Kernel work done in softirq (the target's SYN handling) is partly
 * charged to whatever task ran then, so it is counted loosely. Blocks of the two calls alternate;
 * the median block is reported.
 *
 * <pre>
 * BENCH_JAVA_OPTS=-XX:+UseSerialGC sudo bench/run ProbeBench [rounds per block=500] [blocks=5]
 * </pre>
 */
public final class ProbeBench {

  private static final String A = "culprit-b-pra";
  private static final String B = "culprit-b-prb";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ProbeBench() {}

  public static void main(String[] args) throws Exception {
    int perBlock = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    ProcessCommandRunner run = new ProcessCommandRunner();
    try {
      setUp(run);
      Netns a = named(A);
      Netns b = named(B);
      try (NetworkSources network =
              NetworkSources.open(
                  HostPaths.defaults(),
                  run,
                  NetworkSourceOptions.defaults().withEnabled(Set.of("interface")));
          NetnsHandleCache serverSide =
              NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1));
          ServerSocketChannel server =
              serverSide.openServerSocketChannel(b, StandardProtocolFamily.INET)) {
        server.bind(new InetSocketAddress("10.201.9.2", 0), 1024);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Thread acceptor = new Thread(() -> acceptAll(server), "bench-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        Source iface = network.sources().get(0);
        ProbeSource probe =
            new ProbeSource(
                network.access(),
                List.of(ProbeTarget.parse(A + "/10.201.9.2:" + port)),
                5,
                Duration.ofMillis(900));
        Header header = new Header("bench", A, 0L, "bench", null);
        List<StandardProtocolFamily> five = List.of(INET, INET, INET, INET, INET);
        // The namespace visit alone: five sockets opened inside A by the namespace thread.
        Call openInA =
            () -> {
              for (SocketChannel c : network.access().openSocketChannels(a, List.copyOf(five))) {
                c.close();
              }
              return null;
            };
        try (ServerSocketChannel local = ServerSocketChannel.open()) {
          local.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
          Thread localAcceptor = new Thread(() -> acceptAll(local), "bench-acceptor-lo");
          localAcceptor.setDaemon(true);
          localAcceptor.start();
          int localPort = ((InetSocketAddress) local.getLocalAddress()).getPort();
          ProbeSource fromHost =
              new ProbeSource(
                  network.access(),
                  List.of(ProbeTarget.parse("127.0.0.1:" + localPort)),
                  5,
                  Duration.ofMillis(900));
          Path self = Path.of("/proc/self/ns/net");
          Netns host = new Netns("", NsInode.of(self), self, null, true);
          Header hostHeader = header.forNetns("");
          List<String> names =
              List.of(
                  "interface cycle, netns A",
                  "probe round of 5, from netns A",
                  "  of which: 5 sockets opened in A",
                  "probe round of 5, host to lo");
          List<Call> calls =
              List.of(
                  () -> iface.collect(a, header),
                  () -> probe.collect(a, header),
                  openInA,
                  () -> fromHost.collect(host, hostHeader));
          List<List<double[]>> costs = new ArrayList<>();
          for (Call call : calls) {
            measure(perBlock, call); // warm-up
            costs.add(new ArrayList<>());
          }
          for (int i = 0; i < blocks; i++) {
            for (int c = 0; c < calls.size(); c++) {
              costs.get(c).add(measure(perBlock, calls.get(c)));
            }
          }
          double base = median(costs.get(0))[0];
          for (int c = 0; c < calls.size(); c++) {
            double[] m = median(costs.get(c));
            System.out.printf(
                "%-34s %8.1f us cpu/call %8.1f us wall/call  (%.2fx)%n",
                names.get(c), m[0], m[1], m[0] / base);
          }
        }
        // The rounds measured must have been real answers, not timeouts or NO_DATA.
        var last =
            (dev.culprit.collector.records.ProbeSample) probe.collect(a, header).get(0).value();
        System.out.printf("last round: %d sent, %d answered%n", last.getSent(), last.getAnswered());
      }
    } finally {
      tearDown(run);
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  /** CPU of every Java thread and wall time per call over {@code n} calls, µs. */
  private static double[] measure(int n, Call call) throws Exception {
    long cpu0 = javaThreadsCpuNanos();
    long wall0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      call.run();
    }
    return new double[] {
      (javaThreadsCpuNanos() - cpu0) / 1e3 / n, (System.nanoTime() - wall0) / 1e3 / n
    };
  }

  /**
   * User + system CPU of all Java threads (the caller, the namespace thread, the acceptors), at
   * nanosecond resolution — the process total has only 10 ms ticks — and without the JIT and GC.
   */
  private static long javaThreadsCpuNanos() {
    long total = 0;
    for (long id : THREADS.getAllThreadIds()) {
      total += Math.max(0, THREADS.getThreadCpuTime(id));
    }
    return total;
  }

  private static double[] median(List<double[]> blocks) {
    double[] cpu = blocks.stream().mapToDouble(c -> c[0]).sorted().toArray();
    double[] wall = blocks.stream().mapToDouble(c -> c[1]).sorted().toArray();
    return new double[] {cpu[cpu.length / 2], wall[wall.length / 2]};
  }

  private static void acceptAll(ServerSocketChannel server) {
    while (server.isOpen()) {
      try (SocketChannel ignored = server.accept()) {
        // accepted and closed
      } catch (Exception closedOrReset) {
        // keep accepting while open
      }
    }
  }

  private static void setUp(ProcessCommandRunner run) throws Exception {
    tearDown(run);
    for (List<String> argv :
        List.of(
            List.of("ip", "netns", "add", A),
            List.of("ip", "netns", "add", B),
            List.of("ip", "link", "add", "cub-pra0", "type", "veth", "peer", "name", "cub-prb0"),
            List.of("ip", "link", "set", "cub-pra0", "netns", A),
            List.of("ip", "link", "set", "cub-prb0", "netns", B),
            List.of("ip", "-n", A, "addr", "add", "10.201.9.1/24", "dev", "cub-pra0"),
            List.of("ip", "-n", B, "addr", "add", "10.201.9.2/24", "dev", "cub-prb0"),
            List.of("ip", "-n", A, "link", "set", "cub-pra0", "up"),
            List.of("ip", "-n", B, "link", "set", "cub-prb0", "up"))) {
      run.run(argv, Duration.ofSeconds(20));
    }
  }

  private static void tearDown(ProcessCommandRunner run) {
    for (String ns : Arrays.asList(A, B)) {
      try {
        run.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(20));
      } catch (Exception absent) {
        // not there
      }
    }
  }
}
