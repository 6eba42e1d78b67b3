package dev.culprit.collector.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.testing.Fixtures;
import dev.culprit.collector.testing.Poll;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixHttpClientTest {

  @TempDir Path dir;

  @Test
  void readsAContentLengthResponse() throws Exception {
    String inspect = Fixtures.text("docker/container_d_oom_sh_inspect.json");
    try (FakeEngine engine =
        new FakeEngine(
            dir.resolve("d.sock"),
            FakeEngine.responses(t -> FakeEngine.ok("application/json", inspect)))) {
      HttpResponse r =
          new UnixHttpClient(engine.socket(), Duration.ofSeconds(5)).get("/containers/x/json");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("content-type", "application/json");
      assertThat(r.text()).isEqualTo(inspect);
      assertThat(engine.requests()).containsExactly("/containers/x/json");
    }
  }

  @Test
  void decodesAChunkedResponseSplitAnywhere() throws Exception {
    try (FakeEngine engine =
        new FakeEngine(
            dir.resolve("d.sock"),
            FakeEngine.responses(t -> FakeEngine.chunked("[{\"Id\":", "\"abc\"}", "]")))) {
      HttpResponse r =
          new UnixHttpClient(engine.socket(), Duration.ofSeconds(5)).get("/containers/json");

      assertThat(r.text()).isEqualTo("[{\"Id\":\"abc\"}]");
    }
  }

  @Test
  void reportsAnErrorStatusWithTheEnginesMessage() throws Exception {
    String body = "{\"message\":\"No such container: nope123\"}\n";
    String notFound =
        "HTTP/1.1 404 Not Found\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    try (FakeEngine engine =
            new FakeEngine(dir.resolve("d.sock"), FakeEngine.responses(t -> notFound));
        FakeEngine down =
            new FakeEngine(
                dir.resolve("e.sock"),
                FakeEngine.responses(
                    t -> "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom"))) {
      DockerClient client = new DockerClient(engine.socket(), Duration.ofSeconds(5));
      assertThat(client.inspect("nope123")).isEmpty();
      assertThatThrownBy(() -> new DockerClient(down.socket(), Duration.ofSeconds(5)).ping())
          .isInstanceOf(UnixHttpClient.HttpStatusException.class)
          .hasMessageContaining("HTTP 500: boom");
    }
  }

  @Test
  void timesOutWhenTheEngineNeverAnswers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeEngine engine =
        new FakeEngine(dir.resolve("d.sock"), (t, c) -> release.await(30, TimeUnit.SECONDS))) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> new UnixHttpClient(engine.socket(), Duration.ofMillis(300)).get("/_ping"))
          .isInstanceOf(InterruptedIOException.class)
          .hasMessageContaining("timed out after PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      release.countDown();
    }
  }

  @Test
  void failsClearlyOnGarbageAndOnAMissingSocket() throws Exception {
    try (FakeEngine engine =
        new FakeEngine(
            dir.resolve("d.sock"), FakeEngine.responses(t -> "SSH-2.0-OpenSSH\r\n\r\n"))) {
      assertThatThrownBy(
              () -> new UnixHttpClient(engine.socket(), Duration.ofSeconds(5)).get("/_ping"))
          .hasMessageContaining("not an HTTP status line");
    }
    assertThatThrownBy(
            () -> new UnixHttpClient(dir.resolve("none.sock"), Duration.ofSeconds(1)).get("/_ping"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void streamsCapturedEventsLineByLineUntilClosed() throws Exception {
    List<String> captured =
        List.of(Fixtures.text("docker/events_all.jsonl").split("\n")).subList(0, 16);
    // Of these 16 captured lines, 9 are container events (the others: image and network).
    CountDownLatch closed = new CountDownLatch(1);
    try (FakeEngine engine =
        new FakeEngine(
            dir.resolve("d.sock"),
            (target, client) -> {
              FakeEngine.write(client, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
              for (String line : captured) {
                String chunk = line + "\n";
                FakeEngine.write(
                    client, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
              }
              // Like dockerd: the stream stays open until the client goes away.
              closed.await(30, TimeUnit.SECONDS);
            })) {
      DockerClient client = new DockerClient(engine.socket(), Duration.ofSeconds(5));
      List<DockerEvent> events = new CopyOnWriteArrayList<>();
      AtomicReference<UnixHttpClient.Stream> stream = new AtomicReference<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread follower =
          new Thread(
              () -> {
                try {
                  client.events(1795849432000000000L, stream::set, events::add);
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      follower.start();
      Poll.untilTrue(
          Duration.ofSeconds(10), "the captured container events", () -> events.size() >= 9);

      stream.get().close();
      follower.join(5000);
      closed.countDown();

      assertThat(follower.isAlive()).isFalse();
      assertThat(failure.get()).as("closing is not an error").isNull();
      assertThat(events).extracting(DockerEvent::action).contains("create", "start", "die", "oom");
      assertThat(engine.requests().get(0))
          .startsWith("/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D")
          .endsWith("&since=1795849432.000000000");
    }
  }
}
