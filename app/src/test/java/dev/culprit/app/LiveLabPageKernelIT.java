package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.app.live.LivePageTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page as the README's walk-through uses it, as root: {@code culprit lab up}, {@code
 * culprit up --window 5s} in its own JVM, {@code culprit lab inject firewall-drop}. The API names
 * the fault on this host within two minutes, and headless chromium finds it on the fleet page and
 * on the host page. The lab is taken down, and {@code up} stopped, even when the test fails.
 */
class LiveLabPageKernelIT {

  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path dataDir;

  @Test
  void aLabFaultShowsOnTheFleetAndHostPages() throws Exception {
    assumeTrue(uid() == 0, "needs root: the lab builds namespaces and firewall rules");
    Path chromium = Path.of("/usr/bin/chromium");
    assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed");
    int httpPort;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      httpPort = free.getLocalPort();
    }
    Process up = null;
    Path stderr = dataDir.resolve("up.stderr");
    try {
      runToEnd("lab", "up");
      up =
          Cli.start(
              Cli.javaUp(
                  dataDir,
                  "--window",
                  "5s",
                  "--interval",
                  "1s",
                  "--http-address",
                  "127.0.0.1:" + httpPort),
              dataDir.resolve("up.stdout"),
              stderr);
      runToEnd("lab", "inject", "firewall-drop");

      String host = InetAddress.getLocalHost().getHostName();
      String hostPath = "/hosts/" + URLEncoder.encode(host, StandardCharsets.UTF_8);
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest ask =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api" + hostPath))
              .build();
      String answer = "";
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline && up.isAlive()) {
        try {
          HttpResponse<String> r = http.send(ask, HttpResponse.BodyHandlers.ofString());
          answer = r.body();
          if (r.statusCode() == 200 && answer.contains("FIREWALL_DROP")) {
            break;
          }
        } catch (IOException e) {
          answer = e.toString(); // the page is not up yet
        }
        up.waitFor(1, TimeUnit.SECONDS); // poll until the view has the window with the cause
      }
      assertThat(answer)
          .as("the API within %s; up stderr: %s", DEADLINE, read(stderr))
          .contains("FIREWALL_DROP")
          .contains("culprit-web");

      String fleet =
          LivePageTest.chrome(
              chromium, dataDir, "--dump-dom", "http://127.0.0.1:" + httpPort + "/");
      assertThat(fleet).contains("FIREWALL_DROP").contains(host);
      String page =
          LivePageTest.chrome(
              chromium, dataDir, "--dump-dom", "http://127.0.0.1:" + httpPort + hostPath);
      assertThat(page).contains("FIREWALL_DROP").contains("culprit-web");
    } finally {
      try {
        runToEnd("lab", "down");
      } finally {
        if (up != null) {
          up.destroy();
          if (!up.waitFor(60, TimeUnit.SECONDS)) {
            up.destroyForcibly();
          }
        }
      }
    }
  }

  /** {@code culprit ARGS} in a child JVM, to its end; fails with its output if it fails. */
  private void runToEnd(String... args) throws Exception {
    Path out = Files.createTempFile(dataDir, "culprit-", ".out");
    Process p = Cli.start(Cli.javaMain(args), out, out);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("culprit %s finished", List.of(args)).isTrue();
    assertThat(p.exitValue()).as("culprit %s: %s", List.of(args), read(out)).isZero();
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  private static long uid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return Long.parseLong(line.split("\\s+")[1]);
      }
    }
    return -1;
  }
}
