package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code culprit up --json} as a user runs it: a separate JVM, a free port, SIGTERM to stop. Within
 * 60 s {@code culprit tail culprit.samples.interface --max 1} prints a decoded sample of this host,
 * the live page's API ({@code --http-address}) answers for this host, stdout carries nothing but
 * events, and the process stops cleanly.
 */
class UpCommandTest {

  @TempDir Path dataDir;

  @Test
  void upPublishesARealInterfaceSampleThatTailDecodesAndStdoutCarriesOnlyEvents() throws Exception {
    Path stdout = dataDir.resolve("up.stdout");
    Path stderr = dataDir.resolve("up.stderr");
    int httpPort;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      httpPort = free.getLocalPort();
    }
    List<String> command =
        Cli.javaUp(
            dataDir, "--json", "--interval", "1s", "--http-address", "127.0.0.1:" + httpPort);
    Process up = Cli.start(command, stdout, stderr);
    try {
      Path bootstrapFile = dataDir.resolve("bootstrap-servers");
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.exists(bootstrapFile) && up.isAlive() && System.nanoTime() < deadline) {
        up.waitFor(100, TimeUnit.MILLISECONDS);
      }
      assertThat(up.isAlive()).as("culprit up is running; stderr: %s", read(stderr)).isTrue();
      assertThat(bootstrapFile).exists();

      Cli.Run tail =
          Cli.run(
              "tail",
              "culprit.samples.interface",
              "--data-dir",
              dataDir.toString(),
              "--from-beginning",
              "--max",
              "1",
              "--timeout",
              "60s");
      assertThat(tail.exitCode())
          .as("tail stderr: %s / up stderr: %s", tail.stderr(), read(stderr))
          .isZero();
      JsonNode sample =
          new ObjectMapper().readTree(tail.stdout().lines().findFirst().orElseThrow());
      assertThat(sample.get("host").asText()).isEqualTo(InetAddress.getLocalHost().getHostName());
      assertThat(sample.get("interfaces").findValuesAsText("name")).contains("lo");

      // The live page's API knows this host and its own namespace.
      String host = InetAddress.getLocalHost().getHostName();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpRequest ask =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create(
                      "http://127.0.0.1:"
                          + httpPort
                          + "/api/hosts/"
                          + java.net.URLEncoder.encode(host, StandardCharsets.UTF_8)))
              .build();
      java.net.http.HttpResponse<String> answer = null;
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        answer = http.send(ask, java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          break;
        }
        up.waitFor(500, TimeUnit.MILLISECONDS); // poll until the view has the host
      }
      assertThat(answer.statusCode())
          .as("%s / up stderr: %s", answer.body(), read(stderr))
          .isEqualTo(200);
      JsonNode view = new ObjectMapper().readTree(answer.body());
      assertThat(view.get("host").asText()).isEqualTo(host);
      assertThat(view.get("namespaces").findValuesAsText("netns")).contains("");

      // The broker asks for the login tail found in the data dir; without it, nothing.
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dataDir.resolve(DataDir.CLIENT_FILE))))
          .isEqualTo("rw-------");
      Cli.Run anonymous =
          Cli.run(
              "tail",
              "culprit.samples.interface",
              "--bootstrap-servers",
              Files.readString(bootstrapFile).trim(),
              "--from-beginning",
              "--max",
              "1",
              "--timeout",
              "10s");
      assertThat(anonymous.exitCode()).as("a client without the login").isNotZero();
      assertThat(anonymous.stdout()).isEmpty();
    } finally {
      up.destroy(); // SIGTERM, as Ctrl-C or systemd would
      if (!up.waitFor(60, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
    assertThat(up.exitValue()).as("exit after SIGTERM; stderr: %s", read(stderr)).isIn(0, 143);
    for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
      assertThat(new ObjectMapper().readTree(line).has("cause"))
          .as("stdout line is a root-cause event: %s", line)
          .isTrue();
    }
    assertThat(read(stderr))
        .contains("ready")
        .contains("live page at http://127.0.0.1:" + httpPort + "/")
        .doesNotContain("Exception in thread");
    assertThat(dataDir.resolve("bootstrap-servers")).as("address forgotten on exit").doesNotExist();
  }

  private static String read(Path p) throws java.io.IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
