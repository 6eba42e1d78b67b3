package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.FixtureCapture;
import dev.culprit.collector.source.iface.NetDevParser;
import dev.culprit.collector.source.qdisc.TcQdiscJsonParser;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureCaptureKernelTest {

  @TempDir Path dir;

  @BeforeAll
  static void needsTheKernel() {
    VethNamespacePair.assumeUsable();
  }

  @Test
  void capturesHostAndNamespacesInAFormTheParsersRead() throws Exception {
    try (VethNamespacePair lab = new VethNamespacePair()) {
      lab.up(1400);
      HostPaths paths = HostPaths.defaults();
      FixtureCapture capture =
          new FixtureCapture(
              paths,
              new ProcessCommandRunner(),
              NetnsShell.finder(paths, "culprit-t-*"),
              Clock.fixed(Instant.parse("2026-11-28T08:00:00Z"), ZoneOffset.UTC));

      List<Path> folders = capture.capture(dir);

      assertThat(folders)
          .extracting(p -> p.getFileName().toString())
          .containsExactly("host", VethNamespacePair.A, VethNamespacePair.B);
      String readme = Files.readString(dir.resolve("README.md"));
      assertThat(readme)
          .contains("2026-11-28T08:00:00Z", "kernel: " + System.getProperty("os.version"));
      Path a = dir.resolve(VethNamespacePair.A);
      assertThat(NetDevParser.parse("dev", Files.readString(a.resolve("proc-net-dev.txt"))))
          .extracting(NetDevParser.Device::name)
          .contains(VethNamespacePair.VETH_A);
      assertThat(
              TcQdiscJsonParser.parse("tc", Files.readString(a.resolve("tc-s-j-qdisc-show.json"))))
          .isNotEmpty();
      assertThat(Files.readString(a.resolve("ip-j-s-s-d-address-show.json")))
          .contains("\"mtu\":1400");
      assertThat(dir.resolve("host/nf_conntrack_max.txt")).exists();
    }
  }
}
