package dev.culprit.collector.platform.netlink;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-creates {@code src/test/resources/fixtures/netlink/fw/}: the nf_tables dumps the firewall
 * source reads every cycle (NFT_MSG_GETTABLE, NFT_MSG_GETRULE, NFT_MSG_GETGEN) of one namespace
 * with iptables-nft and native nftables rules whose counters have moved, beside the listings the
 * forking path reads ({@code iptables-nft-save -c}, {@code ip6tables-nft-save -c}, {@code nft -j
 * list ruleset}) taken between two rounds of dumps; kept only when both rounds are equal (but for
 * sequence numbers), so the listings and the dumps show the very same counters.
 *
 * <pre>
 * mvn -B -q -o -pl collector -am test-compile
 * mvn -B -q -o -pl collector exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.culprit.collector.platform.netlink.CaptureFirewallFixtures \
 *     -Dexec.args=src/test/resources/fixtures/netlink/fw
 * </pre>
 *
 * Run as root; it removes the namespace it made ({@code culprit-fx-fw}) when done.
 */
public final class CaptureFirewallFixtures {

  static final String NS = "culprit-fx-fw";
  private static final NetnsShell SHELL = new NetnsShell();
  private static final List<DumpRequest> DUMPS =
      List.of(DumpRequest.NFT_TABLES, DumpRequest.NFT_RULES, DumpRequest.NFT_GENERATION);

  /** The listings, by fixture file name. */
  private static final Map<String, String> LISTINGS =
      Map.of(
          "iptables-nft-save-c.txt", "iptables-nft-save -c",
          "ip6tables-nft-save-c.txt", "ip6tables-nft-save -c",
          "nft-j-list-ruleset.json", "nft -j list ruleset");

  private CaptureFirewallFixtures() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/netlink/fw");
    try {
      setUp();
      capture(out);
    } finally {
      tearDown();
    }
  }

  /** The rules; {@code ;}-separated commands, each split on spaces but for one quoted comment. */
  private static void setUp() throws Exception {
    tearDown();
    SHELL.addNamespaces(NS);
    in("ip link set lo up");
    in("iptables -N CULPRIT-LOG");
    in("iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP");
    in("iptables -A INPUT -p icmp -j CULPRIT-LOG");
    in("iptables -A INPUT -p tcp --dport 9 -j REJECT");
    in("iptables -A CULPRIT-LOG -m statistic --mode nth --every 3 --packet 0 -j RETURN");
    in("iptables -A CULPRIT-LOG -j ACCEPT");
    in("iptables -A OUTPUT -p udp --dport 9 -j DROP");
    SHELL.in(
        NS,
        "iptables",
        "-A",
        "OUTPUT",
        "-p",
        "icmp",
        "-m",
        "comment",
        "--comment",
        "fixture: \"quoted\" words",
        "-j",
        "ACCEPT");
    in("ip6tables -A INPUT -p tcp --dport 22 -j DROP");
    in("nft add table inet culprit");
    in("nft add chain inet culprit input { type filter hook input priority 10 ; policy accept ; }");
    in("nft add rule inet culprit input icmp type echo-request counter accept");
    in("nft add rule inet culprit input tcp dport 9999 counter drop");
    in("nft add rule inet culprit input numgen random mod 10 < 2 drop");
    in("nft add rule inet culprit input counter");
    // Traffic on lo: echo requests and replies pass INPUT and OUTPUT, some dropped at random.
    try {
      in("busybox ping -c 20 -i 0.05 -W 1 127.0.0.1");
    } catch (Exception expected) {
      // random drops make ping exit non-zero
    }
  }

  private static void capture(Path out) throws Exception {
    Netns netns =
        NetnsShell.finder(HostPaths.defaults(), NS).find().stream()
            .filter(n -> n.label().equals(NS))
            .findFirst()
            .orElseThrow();
    try (NetnsHandleCache cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1))) {
      NetnsHandles handles = cache.handles(netns);
      for (int attempt = 1; attempt <= 5; attempt++) {
        Map<DumpRequest, byte[]> first = dumps(handles);
        Map<String, String> listings = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : LISTINGS.entrySet()) {
          listings.put(e.getKey(), in(e.getValue()));
        }
        Map<DumpRequest, byte[]> second = dumps(handles);
        boolean quiet = true;
        for (DumpRequest r : DUMPS) {
          // the generation reply's ACK echoes the request, sequence number and all
          quiet &=
              r == DumpRequest.NFT_GENERATION
                  ? generation(first.get(r)) == generation(second.get(r))
                  : CaptureNetlinkFixtures.sameButSequence(first.get(r), second.get(r));
        }
        if (quiet) {
          Files.createDirectories(out);
          for (DumpRequest r : DUMPS) {
            Files.writeString(
                out.resolve(CaptureNetlinkFixtures.fileName(r)), NlHex.format(first.get(r)));
          }
          for (Map.Entry<String, String> e : listings.entrySet()) {
            Files.writeString(out.resolve(e.getKey()), e.getValue());
          }
          Files.writeString(
              out.resolve("versions.txt"),
              String.join(
                  "\n",
                  System.getProperty("os.version"),
                  in("iptables-nft-save --version").strip(),
                  in("nft --version").strip(),
                  Instant.now().toString(),
                  ""));
          System.out.println(out + ": quiet capture");
          return;
        }
        Thread.sleep(1000);
      }
    }
    throw new IllegalStateException(NS + " changed during every capture");
  }

  private static Map<DumpRequest, byte[]> dumps(NetnsHandles handles) throws Exception {
    Map<DumpRequest, byte[]> out = new java.util.EnumMap<>(DumpRequest.class);
    for (DumpRequest r : DUMPS) {
      out.put(r, handles.capture(r));
    }
    return out;
  }

  private static long generation(byte[] raw) throws NetlinkException {
    return NfRules.capturedGeneration(
        java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder()));
  }

  private static String in(String command) throws Exception {
    return SHELL.inSh(NS, command);
  }

  private static void tearDown() {
    SHELL.deleteNamespaces(NS);
  }
}
