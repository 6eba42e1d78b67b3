package dev.culprit.collector.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile bytes on the Engine socket end in a typed protocol error, never a crash or a hang. */
class HttpMessageReaderTest {

  @TempDir Path dir;

  private static HttpMessageReader reader(String bytes) {
    return new HttpMessageReader(
        new ByteArrayInputStream(bytes.getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static byte[] body(String response, int max) throws Exception {
    HttpMessageReader reader = reader(response);
    return reader.readBody(reader.readHead(), max);
  }

  @Test
  void aNegativeChunkSizeIsAProtocolErrorNotAnIndexError() {
    String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n";

    assertThatThrownBy(() -> body(response, 1024))
        .isInstanceOf(HttpProtocolException.class)
        .hasMessageContaining("bad chunk size '-1'");
  }

  @Test
  void aChunkSizeThatOverflowsOrIsNotHexIsAProtocolError() {
    for (String size : new String[] {"ffffffffffffffff", "0x10", "+5", "", "1 2"}) {
      String response =
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nabc\r\n0\r\n\r\n";
      assertThatThrownBy(() -> body(response, 1024))
          .as(size)
          .isInstanceOf(HttpProtocolException.class);
    }
  }

  @Test
  void chunkDataLongerThanItsSizeIsAProtocolError() {
    String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n";

    assertThatThrownBy(() -> body(response, 1024)).isInstanceOf(HttpProtocolException.class);
  }

  @Test
  void aBodyPastItsCapIsRefusedWhetherChunkedOrAnnounced() {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "400\r\n"
            + "x".repeat(1024)
            + "\r\n0\r\n\r\n";
    String announced = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc";

    assertThatThrownBy(() -> body(chunked, 1000))
        .isInstanceOf(HttpProtocolException.class)
        .hasMessageContaining("larger than 1000");
    assertThatThrownBy(() -> body(announced, 1000))
        .isInstanceOf(HttpProtocolException.class)
        .hasMessageContaining("99999999999");
  }

  @Test
  void aContentLengthThatIsNotDigitsIsAProtocolError() {
    for (String length : new String[] {"-5", "abc", "1e3", "99999999999999999999"}) {
      assertThatThrownBy(
              () -> body("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\nabc", 1024))
          .as(length)
          .isInstanceOf(HttpProtocolException.class);
    }
  }

  @Test
  void tooManyHeadersOrAnEndlessHeaderLineIsAProtocolError() {
    String many = "HTTP/1.1 200 OK\r\n" + "X-A: b\r\n".repeat(101) + "\r\n";
    String endless = "HTTP/1.1 200 OK\r\nX-A: " + "b".repeat(20_000) + "\r\n\r\n";

    assertThatThrownBy(() -> reader(many).readHead()).isInstanceOf(HttpProtocolException.class);
    assertThatThrownBy(() -> reader(endless).readHead())
        .isInstanceOf(HttpProtocolException.class)
        .hasMessageContaining("longer than");
  }

  @Test
  void aStreamedLineIsCutOffAtItsCap() throws Exception {
    InputStream body =
        new ByteArrayInputStream(("ok\r\n" + "y".repeat(5000)).getBytes(StandardCharsets.UTF_8));

    assertThat(HttpMessageReader.readBodyLine(body, 4096)).isEqualTo("ok");
    assertThatThrownBy(() -> HttpMessageReader.readBodyLine(body, 4096))
        .isInstanceOf(HttpProtocolException.class);
  }

  @Test
  void anEventStreamThatGoesSilentAfterItsHeadersIsGivenUpAfterTheIdleTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeEngine engine =
        new FakeEngine(
            dir.resolve("d.sock"),
            (target, client) -> {
              FakeEngine.write(client, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
              release.await(30, TimeUnit.SECONDS);
            })) {
      UnixHttpClient client =
          new UnixHttpClient(engine.socket(), Duration.ofSeconds(5), Duration.ofMillis(300));
      long start = System.nanoTime();

      assertThatThrownBy(() -> client.stream("/events", s -> {}, line -> {}))
          .isInstanceOf(InterruptedIOException.class)
          .hasMessageContaining("no line within PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      release.countDown();
    }
  }

  @Test
  void mutatedResponsesEndInAnIoErrorOrABoundedBodyNeverAnotherException() {
    String real =
        "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n7\r\n[{\"Id\":\r\n6\r\n\"abc\"}\r\n1\r\n]\r\n0\r\n\r\n";
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = real.getBytes(StandardCharsets.ISO_8859_1);
      for (int k = 0; k <= random.nextInt(4) && bytes.length > 0; k++) {
        int at = random.nextInt(bytes.length);
        switch (random.nextInt(3)) {
          case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> bytes[at] = (byte) "-f0 \r\n:;x".charAt(random.nextInt(9));
          default -> bytes = java.util.Arrays.copyOf(bytes, at);
        }
      }
      HttpMessageReader reader = new HttpMessageReader(new ByteArrayInputStream(bytes));
      try {
        assertThat(reader.readBody(reader.readHead(), 4096).length).isLessThanOrEqualTo(4096);
      } catch (java.io.IOException e) {
        // a typed rejection (protocol error, or EOF inside the message)
      } catch (RuntimeException e) {
        throw new AssertionError("case " + i + ": " + e, e);
      }
    }
  }
}
