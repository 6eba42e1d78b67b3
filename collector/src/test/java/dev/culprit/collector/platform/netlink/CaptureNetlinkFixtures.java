package dev.culprit.collector.platform.netlink;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Re-creates {@code src/test/resources/fixtures/netlink/}: raw rtnetlink and nf_tables dumps of the
 * host and of two namespaces with qdisc trees (htb with pfifo/bfifo leaves, mq with a pfifo child,
 * a tbf that dropped), each beside {@code tc -s -j qdisc show}, {@code ip -j -s -s -d address show}
 * and {@code net/dev} taken at the same moment. The namespaces are left quiet (no process, no IPv6
 * autoconfiguration) and captured twice: only a capture whose dumps did not change in between is
 * kept, so tests can demand exact equality between the netlink and the forking paths.
 *
 * <pre>
 * mvn -B -q -o -pl collector -am test-compile
 * mvn -B -q -o -pl collector exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.culprit.collector.platform.netlink.CaptureNetlinkFixtures \
 *     -Dexec.args=src/test/resources/fixtures/netlink
 * </pre>
 *
 * Run as root; it removes the namespaces it made ({@code culprit-fx-nl-a}, {@code -b}) when done.
 */
public final class CaptureNetlinkFixtures {

  static final String A = "culprit-fx-nl-a";
  static final String B = "culprit-fx-nl-b";
  private static final NetnsShell SHELL = new NetnsShell();

  private CaptureNetlinkFixtures() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/netlink");
    try {
      setUp();
      traffic();
      waitForQuiet();
      capture(out);
    } finally {
      tearDown();
    }
  }

  private static void setUp() throws Exception {
    tearDown();
    SHELL.addNamespaces(A, B);
    SHELL.veth(A, "cunl-a0", B, "cunl-b0");
    SHELL.sh("ip link add cunl-a1 numtxqueues 2 type veth peer name cunl-b1");
    SHELL.sh("ip link set cunl-a1 netns " + A);
    SHELL.sh("ip link set cunl-b1 netns " + B);
    for (String ns : List.of(A, B)) {
      // No link-local addresses and no DAD: nothing sends on its own once traffic stops.
      in(ns, "sysctl -q -w net.ipv6.conf.default.addr_gen_mode=1");
      in(ns, "sysctl -q -w net.ipv6.conf.all.addr_gen_mode=1");
    }
    in(A, "ip addr add 10.250.11.1/24 dev cunl-a0");
    in(A, "ip addr add fd00:250:11::1/64 dev cunl-a0 nodad");
    in(A, "ip addr add 10.250.12.1/24 dev cunl-a1");
    in(B, "ip addr add 10.250.11.2/24 dev cunl-b0");
    in(B, "ip addr add 10.250.12.2/24 dev cunl-b1");
    in(A, "ip link set lo up");
    in(B, "ip link set lo up");
    in(A, "ip link set cunl-a0 up mtu 1400");
    in(A, "ip link set cunl-a1 up");
    in(B, "ip link set cunl-b0 up mtu 1400");
    in(B, "ip link set cunl-b1 up");
    in(A, "tc qdisc add dev cunl-a0 root handle 1: htb default 20");
    in(A, "tc class add dev cunl-a0 parent 1: classid 1:10 htb rate 10mbit");
    in(A, "tc class add dev cunl-a0 parent 1: classid 1:20 htb rate 1mbit ceil 2mbit");
    in(A, "tc qdisc add dev cunl-a0 parent 1:10 handle 110: pfifo limit 50");
    in(A, "tc qdisc add dev cunl-a0 parent 1:20 handle 120: bfifo limit 3000");
    in(A, "tc qdisc add dev cunl-a1 root handle 1: mq");
    in(A, "tc qdisc add dev cunl-a1 parent 1:1 handle 5: pfifo limit 7");
    in(B, "tc qdisc add dev cunl-b1 root handle 10: tbf rate 8kbit burst 1600 limit 1600");
    in(B, "tc qdisc add dev cunl-b0 root handle 20: tbf rate 1mbit burst 32kb latency 50ms");
    in(A, "nft add table inet culprit");
    in(A, "iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP");
  }

  /** HTTP over both pairs: B's 8 kbit tbf drops its responses. */
  private static void traffic() throws Exception {
    Path www = Files.createTempDirectory("culprit-fx-nl-www");
    Files.writeString(www.resolve("index.html"), "x".repeat(20_000));
    Process httpd = NetnsShell.httpd(B, "80", www);
    try {
      Thread.sleep(300); // busybox httpd binds at once; a failed first GET only means less traffic
      for (String target : List.of("10.250.11.2", "10.250.12.2", "10.250.12.2")) {
        try {
          in(A, "busybox timeout 3 busybox wget -q -O /dev/null http://" + target + "/");
        } catch (Exception expected) {
          // the tbf drops make this fail; the counters are the point
        }
      }
    } finally {
      NetnsShell.stop(httpd);
      Files.deleteIfExists(www.resolve("index.html"));
      Files.deleteIfExists(www);
    }
  }

  /** Until net/dev of both namespaces stays the same for two seconds (TCP timers, retransmits). */
  private static void waitForQuiet() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      String now = in(A, "cat /proc/net/dev") + in(B, "cat /proc/net/dev");
      if (now.equals(last)) {
        return;
      }
      last = now;
      Thread.sleep(2000);
    }
    throw new IllegalStateException("namespaces never went quiet");
  }

  private static void capture(Path out) throws Exception {
    HostPaths paths = HostPaths.defaults();
    List<Netns> all = NetnsShell.finder(paths, "culprit-fx-nl-*").find();
    try (NetnsHandleCache cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1))) {
      for (Netns netns : all) {
        String dir = netns.label().isEmpty() ? "host" : netns.label().equals(A) ? "ns-a" : "ns-b";
        Path folder = out.resolve(dir);
        Files.createDirectories(folder);
        captureQuiet(cache.handles(netns), netns, folder);
      }
    }
    Files.writeString(out.resolve("psched.txt"), ProcFiles.read(Path.of("/proc/net/psched")));
    Files.writeString(
        out.resolve("uname.txt"),
        String.join(
            "\n",
            System.getProperty("os.version"),
            SHELL.run("ip", "-V").strip(),
            Instant.now().toString(),
            ""));
  }

  /** Dumps, commands, dumps again; keeps the set only when both dump rounds are equal. */
  private static void captureQuiet(NetnsHandles handles, Netns netns, Path folder)
      throws Exception {
    for (int attempt = 1; attempt <= 5; attempt++) {
      Map<DumpRequest, byte[]> first = dumps(handles);
      String tc = run(netns, "tc -s -j qdisc show");
      String ip = run(netns, "ip -j -s -s -d address show");
      String dev = handles.readNetFiles(List.of("dev")).get("dev");
      Map<DumpRequest, byte[]> second = dumps(handles);
      boolean quiet = true;
      for (DumpRequest r : DumpRequest.values()) {
        quiet &= sameButSequence(first.get(r), second.get(r));
      }
      if (quiet || netns.host()) {
        for (DumpRequest r : DumpRequest.values()) {
          Files.writeString(folder.resolve(fileName(r)), NlHex.format(first.get(r)));
        }
        Files.writeString(folder.resolve("tc-s-j-qdisc-show.json"), tc);
        Files.writeString(folder.resolve("ip-j-s-s-d-address-show.json"), ip);
        Files.writeString(folder.resolve("proc-net-dev.txt"), dev);
        System.out.println(folder + (quiet ? ": quiet capture" : ": host (never quiet)"));
        return;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException(netns.label() + " changed during every capture");
  }

  static String fileName(DumpRequest r) {
    return switch (r) {
      case LINKS -> "rtm-getlink.hex";
      case LINK_NAMES -> "rtm-getlink-skip-stats.hex";
      case ADDRESSES -> "rtm-getaddr.hex";
      case ROUTES -> "rtm-getroute.hex";
      case NEIGHBOURS -> "rtm-getneigh.hex";
      case QDISCS -> "rtm-getqdisc.hex";
      case NFT_TABLES -> "nft-gettable.hex";
      case NFT_RULES -> "nft-getrule.hex";
      case NFT_GENERATION -> "nft-getgen.hex";
    };
  }

  private static Map<DumpRequest, byte[]> dumps(NetnsHandles handles) throws Exception {
    Map<DumpRequest, byte[]> out = new java.util.EnumMap<>(DumpRequest.class);
    for (DumpRequest r : DumpRequest.values()) {
      out.put(r, handles.capture(r));
    }
    return out;
  }

  /** Equal apart from the sequence numbers (bytes 8..11 of each message). */
  static boolean sameButSequence(byte[] a, byte[] b) {
    if (a.length != b.length) {
      return false;
    }
    byte[] x = a.clone();
    byte[] y = b.clone();
    java.nio.ByteBuffer bx = java.nio.ByteBuffer.wrap(x).order(java.nio.ByteOrder.nativeOrder());
    int pos = 0;
    while (pos + 16 <= x.length) {
      int len = bx.getInt(pos);
      for (int i = 8; i < 12; i++) {
        x[pos + i] = 0;
        y[pos + i] = 0;
      }
      pos += Math.max(16, NlMessages.align(len));
    }
    return Arrays.equals(x, y);
  }

  private static String run(Netns netns, String command) throws Exception {
    return netns.host() ? SHELL.sh(command) : in(netns.label(), command);
  }

  private static String in(String ns, String command) throws Exception {
    return SHELL.inSh(ns, command);
  }

  private static void tearDown() {
    SHELL.deleteNamespaces(A, B);
  }
}
