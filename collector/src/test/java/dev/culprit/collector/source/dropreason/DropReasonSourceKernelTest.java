package dev.culprit.collector.source.dropreason;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.records.DropReasonCount;
import dev.culprit.collector.records.DropReasonSample;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import dev.culprit.collector.testing.Poll;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drop-reason source on the real kernel: a namespace whose firewall drops a UDP flood, and the
 * source counting it as NETFILTER_DROP; its ftrace instance gone when it stops, and after a SIGKILL
 * gone at the next start. Root only (run under {@code flock /tmp/culprit-kernel.lock}).
 */
class DropReasonSourceKernelTest {

  private static final String NS = "culprit-t-dr";
  private static final String HOST_VETH = "cut-dr-h";
  private static final String NS_VETH = "cut-dr-n";
  private static final String HOST_ADDR = "10.250.77.1";
  private static final String NS_ADDR = "10.250.77.2";
  private static final String NS_MAC = "02:c0:77:00:00:02";
  private static final int FLOOD = 3000;
  private static final Path SYS = Path.of("/sys");

  private final NetnsShell shell = new NetnsShell();

  @BeforeEach
  void up() throws Exception {
    KernelTests.assumeRootWith("ip", "iptables", "mount");
    down();
    shell.addNamespaces(NS);
    shell.run(
        "ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", NS_VETH, "address", NS_MAC);
    shell.run("ip", "link", "set", NS_VETH, "netns", NS);
    shell.run("ip", "addr", "add", HOST_ADDR + "/24", "dev", HOST_VETH);
    shell.run("ip", "link", "set", HOST_VETH, "up");
    shell.in(NS, "ip", "addr", "add", NS_ADDR + "/24", "dev", NS_VETH);
    shell.in(NS, "ip", "link", "set", NS_VETH, "up");
    shell.in(NS, "iptables", "-A", "INPUT", "-p", "udp", "--dport", "9", "-j", "DROP");
    // The neighbour is known before the flood, so that no packet waits for ARP.
    shell.run(
        "ip", "neigh", "replace", NS_ADDR, "lladdr", NS_MAC, "dev", HOST_VETH, "nud", "permanent");
  }

  @AfterEach
  void down() {
    shell.quietly("ip", "link", "del", HOST_VETH);
    shell.deleteNamespaces(NS);
  }

  @Test
  void countsAFirewallsDropsAsNetfilterDropAndRemovesItsInstanceWhenClosed() throws Exception {
    Path instance;
    DropReasonSample sample;
    try (DropReasonSource source = new DropReasonSource(SYS, shell.runner())) {
      DropReasonSample first = collect(source);
      instance = source.instancePath();
      assertThat(instance).isDirectory();
      assertThat(instance.getFileName().toString()).startsWith("culprit-dropreasons-");
      // The reasons a cause explains are listed from the start, at 0.
      assertThat(reason(first, "NETFILTER_DROP").getSampled()).isZero();

      flood(FLOOD);
      sample =
          Poll.until(
              Duration.ofSeconds(20),
              "NETFILTER_DROP estimated at 80 % of the flood",
              () -> {
                DropReasonSample s = collectUnchecked(source);
                return reason(s, "NETFILTER_DROP").getEstimated() >= FLOOD * 8 / 10 ? s : null;
              });
    }

    // Exact total (other tenants' drops may add to it); reasons from a sample of the ring's size.
    assertThat(sample.getDrops()).isGreaterThanOrEqualTo(FLOOD);
    assertThat(sample.getSampled()).isPositive().isLessThan(sample.getDrops());
    DropReasonCount netfilter = reason(sample, "NETFILTER_DROP");
    assertThat(netfilter.getSampled()).isPositive().isLessThanOrEqualTo(sample.getSampled());
    assertThat(netfilter.getEstimated()).isLessThanOrEqualTo(sample.getDrops());
    assertThat(instance).doesNotExist();
  }

  @Test
  void anInstanceLeftByAKilledCollectorIsRemovedAtTheNextStart() throws Exception {
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                DropReasonSourceMain.class.getName(),
                SYS.toString(),
                "60000")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Path left;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("the child's instance").isNotNull().contains("culprit-dropreasons-");
      left = Path.of(line);
      assertThat(left).isDirectory();
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close.
      child.waitFor(20, TimeUnit.SECONDS);
    }
    assertThat(left).as("a killed collector leaves its instance").isDirectory();

    try (DropReasonSource next = new DropReasonSource(SYS, shell.runner())) {
      collect(next);
      assertThat(left).doesNotExist();
      assertThat(next.instancePath()).isDirectory();
    }
  }

  @Test
  void withoutTracefsTheSourceSaysNoDataWithTheReason() throws Exception {
    Path noSys = Files.createTempDirectory("culprit-t-nosys");
    try (DropReasonSource source = new DropReasonSource(noSys, null)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> collect(source))
          .isInstanceOf(dev.culprit.collector.spi.NoDataException.class)
          .hasMessageContaining("tracefs is not mounted at " + noSys.resolve("kernel/tracing"));
    } finally {
      Files.deleteIfExists(noSys);
    }
  }

  @Test
  void aDropByATaskNamedWithBytesThatAreNotUtf8IsCountedAndLaterCyclesStillWork() throws Exception {
    KernelTests.assumeRootWith("bash");
    try (DropReasonSource source = new DropReasonSource(SYS, shell.runner())) {
      collect(source);
      // Any user can name a task so; bash sends from its own process (redirections to
      // /dev/udp are its own), so the records carry the name.
      Process sender =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "printf '\\xff\\xfe' > /proc/self/comm && for i in {1..50}; do echo x >"
                      + " /dev/udp/"
                      + NS_ADDR
                      + "/9; done")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      assertThat(sender.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(sender.exitValue()).isZero();

      DropReasonSample sample =
          Poll.until(
              Duration.ofSeconds(20),
              "the 50 drops counted as NETFILTER_DROP",
              () -> {
                DropReasonSample s = collectUnchecked(source);
                return reason(s, "NETFILTER_DROP").getSampled() >= 50 ? s : null;
              });
      assertThat(sample.getDrops()).isGreaterThanOrEqualTo(50);
      // The next cycle reads a reset ring, not the same record again.
      collect(source);
    }
  }

  private static DropReasonSample collect(DropReasonSource source) throws Exception {
    List<Sample> samples =
        source.collect(
            new Netns("", 0, Path.of("/proc/self/ns/net"), null, true),
            new Header("culprit-t", "", System.currentTimeMillis(), "test", null));
    assertThat(samples).hasSize(1);
    return (DropReasonSample) samples.get(0).value();
  }

  private static DropReasonSample collectUnchecked(DropReasonSource source) {
    try {
      return collect(source);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static DropReasonCount reason(DropReasonSample sample, String name) {
    return sample.getReasons().stream()
        .filter(r -> r.getReason().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + sample));
  }

  private static void flood(int packets) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      InetAddress to = InetAddress.getByName(NS_ADDR);
      byte[] payload = new byte[16];
      for (int i = 0; i < packets; i++) {
        socket.send(new DatagramPacket(payload, payload.length, to, 9));
      }
    }
  }
}
