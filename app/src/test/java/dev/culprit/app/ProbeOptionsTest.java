package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --probe} options of {@code culprit collect} / {@code up}, run in-process. */
class ProbeOptionsTest {

  @TempDir Path dataDir;

  @Test
  void aBadProbeTargetIsAUserErrorNamingTheValue() {
    Cli.Run r = collect("--probe", "web-1/10.0.0.2");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("--probe: bad probe target 'web-1/10.0.0.2': no ':PORT'")
        .doesNotContain("Exception");
  }

  @Test
  void aPortOutOfRangeIsAUserError() {
    Cli.Run r = collect("--probe", "127.0.0.1:80", "--probe", "[::1]:70000");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("'[::1]:70000'").contains("outside 1-65535");
  }

  @Test
  void aProbeTimeoutNotShorterThanTheSourceTimeoutIsAUserError() {
    Cli.Run r = collect("--probe", "127.0.0.1:80", "--interval", "1s", "--probe-timeout", "900ms");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("--probe-timeout 900ms must be shorter than the source timeout");
  }

  @Test
  void aProbeCountOfZeroIsAUserError() {
    Cli.Run r = collect("--probe", "127.0.0.1:80", "--probe-count", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--probe-count 0 is outside 1-100");
  }

  @Test
  void theProbeSourceWithoutAnyTargetIsAUserError() {
    Cli.Run r = collect("--sources", "probe");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--sources probe needs at least one --probe target");
  }

  @Test
  void collectOncePrintsOneProbeSamplePerTargetWithTheCountAsked() throws Exception {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs Linux (/proc)");
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0), 64);
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      Thread acceptor = new Thread(() -> acceptAll(server), "culprit-test-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();

      Cli.Run r =
          collect(
              "--sources",
              "probe",
              "--probe",
              "127.0.0.1:" + port,
              "--probe-count",
              "3",
              // at 1 s the default probe timeout shrinks to fit the 750 ms source timeout
              "--interval",
              "1s",
              "--once",
              "--json");

      assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
      List<JsonNode> probes = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      for (String line : r.stdout().lines().toList()) {
        JsonNode n = json.readTree(line);
        if (n.has("targetPort")) {
          probes.add(n);
        }
      }
      assertThat(probes).hasSize(1);
      assertThat(probes.get(0).get("targetAddress").asText()).isEqualTo("127.0.0.1");
      assertThat(probes.get(0).get("sent").asLong()).isEqualTo(3);
      assertThat(probes.get(0).get("answered").asLong()).isEqualTo(3);
    }
  }

  private static void acceptAll(ServerSocketChannel server) {
    while (server.isOpen()) {
      try (SocketChannel ignored = server.accept()) {
        // accepted and closed
      } catch (Exception closedOrReset) {
        // keep going while open
      }
    }
  }

  private Cli.Run collect(String... args) {
    List<String> argv = new ArrayList<>(List.of("collect", "--data-dir", dataDir.toString()));
    argv.addAll(List.of(args));
    return Cli.run(argv.toArray(String[]::new));
  }
}
