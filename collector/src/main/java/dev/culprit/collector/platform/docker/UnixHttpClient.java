package dev.culprit.collector.platform.docker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A minimal HTTP/1.1 client over a Unix domain socket (Java 16+ {@link SocketChannel} with {@link
 * StandardProtocolFamily#UNIX}): one connection per request ({@code Connection: close}), GET only,
 * which is all the Docker Engine API needs for reading state and following {@code /events}.
 *
 * <p>Socket channels have no read timeout, so a watchdog closes the channel when a request overruns
 * its deadline; a blocked read then fails and the request reports the timeout.
 */
public final class UnixHttpClient {

  /**
   * Largest response body: {@code /containers/json} is about 2 KiB per container, an inspect 10 to
   * 20 KiB, so 8 MiB is thousands of containers and still a small part of the agent's heap.
   */
  static final int MAX_BODY_BYTES = 8 << 20;

  /** Longest {@code /events} line: an event is about 1 KiB, more with many labels. */
  static final int MAX_EVENT_LINE_BYTES = 256 << 10;

  /**
   * How long a streamed response may go without a complete line before the client gives up on it.
   * The event follower then reconnects from the last event it saw, so a quiet engine costs one
   * reconnect per period and a hung (or slowly dripping) one cannot hold the thread forever.
   */
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "culprit-http-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final Path socket;
  private final Duration timeout;
  private final Duration idleTimeout;

  /**
   * @param socket the socket file (for example {@code /var/run/docker.sock})
   * @param timeout the deadline of one request (connect, send, read the whole response)
   */
  public UnixHttpClient(Path socket, Duration timeout) {
    this(socket, timeout, DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * @param idleTimeout how long a streamed body may go without a complete line
   */
  public UnixHttpClient(Path socket, Duration timeout, Duration idleTimeout) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
  }

  public Path socket() {
    return socket;
  }

  /** Sends {@code GET target} and reads the whole response within the timeout. */
  public HttpResponse get(String target) throws IOException {
    SocketChannel channel = connect();
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> watchdog =
        WATCHDOG.schedule(
            () -> closeQuietly(channel, timedOut), timeout.toMillis(), TimeUnit.MILLISECONDS);
    try (channel) {
      sendGet(channel, target);
      HttpMessageReader reader = new HttpMessageReader(input(channel));
      HttpMessageReader.Head head = reader.readHead();
      byte[] body = reader.readBody(head, MAX_BODY_BYTES);
      return new HttpResponse(head.status(), head.headers(), body);
    } catch (IOException e) {
      if (timedOut.get()) {
        throw new InterruptedIOException(
            "GET " + target + " on " + socket + " timed out after " + timeout);
      }
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  /**
   * Sends {@code GET target} and hands every line of a streamed response body to {@code onLine}
   * until the server ends the response or {@link Stream#close()} is called. Blocks the calling
   * thread; the head must arrive within the timeout, the body may take forever.
   *
   * @param onOpen called with the open stream before the first line, so another thread can close it
   * @throws HttpStatusException when the server answers with a status other than 200
   */
  public void stream(String target, Consumer<Stream> onOpen, Consumer<String> onLine)
      throws IOException {
    SocketChannel channel = connect();
    Stream stream = new Stream(channel);
    onOpen.accept(stream);
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> watchdog =
        WATCHDOG.schedule(
            () -> closeQuietly(channel, timedOut), timeout.toMillis(), TimeUnit.MILLISECONDS);
    Duration deadline = timeout;
    try (channel) {
      sendGet(channel, target);
      HttpMessageReader reader = new HttpMessageReader(input(channel));
      HttpMessageReader.Head head = reader.readHead();
      watchdog.cancel(false);
      deadline = idleTimeout;
      watchdog =
          WATCHDOG.schedule(
              () -> closeQuietly(channel, timedOut), idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (head.status() != 200) {
        byte[] body = reader.readBody(head, 64 * 1024);
        throw new HttpStatusException(
            "GET " + target, head.status(), new String(body, StandardCharsets.UTF_8));
      }
      InputStream body = reader.bodyStream(head);
      for (String line;
          (line = HttpMessageReader.readBodyLine(body, MAX_EVENT_LINE_BYTES)) != null; ) {
        watchdog.cancel(false);
        if (timedOut.get()) {
          break;
        }
        watchdog =
            WATCHDOG.schedule(
                () -> closeQuietly(channel, timedOut),
                idleTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        if (!line.isBlank()) {
          onLine.accept(line);
        }
      }
    } catch (IOException e) {
      if (stream.closed.get()) {
        return;
      }
      if (timedOut.get()) {
        throw new InterruptedIOException(
            "GET " + target + " on " + socket + " got no line within " + deadline);
      }
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  /** An open streaming response. */
  public static final class Stream implements AutoCloseable {
    private final SocketChannel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Stream(SocketChannel channel) {
      this.channel = channel;
    }

    /** Ends the stream; the thread in {@link #stream} returns normally. */
    @Override
    public void close() {
      closed.set(true);
      try {
        channel.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }

  /** A response whose status says the request failed. */
  public static final class HttpStatusException extends IOException {
    private final int status;

    public HttpStatusException(String request, int status, String body) {
      super(request + " failed: HTTP " + status + (body.isBlank() ? "" : ": " + body.trim()));
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private SocketChannel connect() throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  private static void sendGet(SocketChannel channel, String target) throws IOException {
    String request =
        "GET "
            + target
            + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: culprit\r\nAccept: application/json\r\n"
            + "Connection: close\r\n\r\n";
    ByteBuffer buf = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  private static InputStream input(SocketChannel channel) {
    return new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
  }

  private static void closeQuietly(SocketChannel channel, AtomicBoolean timedOut) {
    timedOut.set(true);
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing more to do.
    }
  }
}
