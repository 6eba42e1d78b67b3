package dev.culprit.lab;

import static dev.culprit.collector.testing.KernelTests.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netlink.NetnsHandleCache;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.SampleHeaders;
import dev.culprit.schemas.Topics;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fix culprit prints for a real DROP rule in a named namespace, pasted into a root shell: the
 * rule's comment is a shell injection ({@code x;touch /tmp/culprit-canary-fix}). It must delete
 * that rule in that namespace only, leave the host's rules as they were, and run nothing else. Root
 * on Linux with ip and iptables; run under {@code flock /tmp/culprit-kernel.lock}.
 */
class PastedFixKernelTest {

  private static final String NS = "culprit-t-fix";
  private static final Path CANARY = Path.of("/tmp/culprit-canary-fix");
  private static final String COMMENT = "x;touch " + CANARY + " 'q' $(id)";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final long T0 = 1_700_000_001_000L;

  private final CommandRunner run = new ProcessCommandRunner();
  private final List<SocketChannel> clients = new ArrayList<>();
  private NetnsHandleCache cache;

  @BeforeAll
  static void needsRootWithIpAndIptables() {
    KernelTests.assumeRootWith("ip", "iptables", "iptables-save");
  }

  @BeforeEach
  void aNamespaceWithARandomDropRuleWhoseCommentIsAnInjection() throws Exception {
    cleanUp();
    run("ip", "netns", "add", NS);
    run("ip", "-n", NS, "link", "set", "lo", "up");
    run(
        "ip",
        "netns",
        "exec",
        NS,
        "iptables",
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        "9",
        "-m",
        "comment",
        "--comment",
        COMMENT,
        "-m",
        "statistic",
        "--mode",
        "random",
        "--probability",
        "0.5",
        "-j",
        "DROP");
    cache = NetnsHandleCache.open(Duration.ofHours(1), Duration.ofHours(1));
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (SocketChannel c : clients) {
        c.close();
      }
      clients.clear();
      if (cache != null) {
        cache.close();
      }
    } finally {
      try {
        run.run(List.of("ip", "netns", "del", NS), TIMEOUT);
      } catch (Exception absent) {
        // not there
      }
      Files.deleteIfExists(CANARY);
    }
  }

  @Test
  void thePastedFixDeletesTheRuleInItsNamespaceOnlyAndRunsNothingElse() throws Exception {
    String hostRulesBefore = hostRules();
    Netns netns = named(NS);
    Source filter =
        NetworkSources.create(HostPaths.defaults(), run, NetworkSourceOptions.defaults()).stream()
            .filter(s -> s.name().equals("filter"))
            .findFirst()
            .orElseThrow();

    FilterSample first = sample(filter, netns);
    FilterSample second = first;
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (dropped(second) <= dropped(first) && System.nanoTime() < deadline) {
      // SYNs to 127.0.0.1:9 inside the namespace pass its INPUT chain, where half are dropped.
      for (SocketChannel c :
          cache.openSocketChannels(netns, Collections.nCopies(10, StandardProtocolFamily.INET))) {
        clients.add(c);
        c.configureBlocking(false);
        c.connect(new InetSocketAddress("127.0.0.1", 9));
      }
      second = sample(filter, netns);
    }
    assertThat(dropped(second)).as("the rule's packet counter").isGreaterThan(dropped(first));

    RootCause cause;
    try (TopologyHarness h = new TopologyHarness()) {
      h.pipe(stamp(first, T0, 1), stamp(second, T0 + 10_000, 2));
      h.advanceTo(T0 + 22_000);
      cause =
          h.causes().stream()
              .filter(c -> c.getCause() == Cause.FIREWALL_DROP && c.getNetns().equals(NS))
              .findFirst()
              .orElseThrow();
    }
    assertThat(cause.getFix().getScope().getKind()).isEqualTo(FixScopeKind.NETNS);
    assertThat(cause.getFix().getArgv()).contains(COMMENT);

    var result = run.run(List.of("/bin/sh", "-c", cause.getRemediation()), TIMEOUT);

    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).isEmpty();
    assertThat(run("ip", "netns", "exec", NS, "iptables-save", "-t", "filter"))
        .as("the namespace's rules after pasting: %s", cause.getRemediation())
        .doesNotContain("-j DROP")
        .doesNotContain("culprit-canary");
    assertThat(hostRules()).as("the host's rules").isEqualTo(hostRulesBefore);
    assertThat(CANARY).as("the comment's injected command ran").doesNotExist();
  }

  private static FilterSample sample(Source filter, Netns netns) throws Exception {
    // The agent's record as it sends it, read as the processor reads it.
    return Topics.FILTER
        .valueSerde()
        .decode(
            WireTopics.FILTER.encode(
                filter
                    .collect(netns, new Header("cu-host", netns.label(), 0, "c1", "b1"))
                    .get(0)
                    .value()));
  }

  private static long dropped(FilterSample sample) {
    return sample.getRules().stream()
        .filter(r -> r.getChain().equals("INPUT") && "DROP".equals(r.getTarget()))
        .mapToLong(r -> r.getPackets() == null ? 0 : r.getPackets())
        .sum();
  }

  /** The real sample at a window-aligned time, as one collector's consecutive cycles. */
  private static FilterSample stamp(FilterSample sample, long timeMs, long seq) {
    return SampleHeaders.stamp(
        FilterSample.newBuilder(sample).build(), "cu-host", NS, timeMs, "c1", "b1", seq);
  }

  /** The host's rules without counters, which other traffic moves. */
  private String hostRules() throws Exception {
    return run("iptables-save")
        .lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", ""))
        .reduce("", (a, b) -> a + b + "\n");
  }

  private String run(String... argv) throws Exception {
    return run.run(List.of(argv), TIMEOUT).stdout();
  }
}
