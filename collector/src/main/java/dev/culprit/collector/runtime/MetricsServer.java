package dev.culprit.collector.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} on one daemon thread, one connection at a time: Prometheus scrapes
 * every few seconds, and an HTTP server library (or the JDK's) would cost the agent more memory
 * than the whole exposition. Anything but a GET of /metrics gets 404; a request line longer than 8
 * KiB or slower than 5 s is dropped.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final int MAX_HEAD_BYTES = 8192;

  private final ServerSocket socket;
  private final Supplier<String> body;
  private final Thread thread;

  /** Binds {@code address} (port 0: a free one) and starts serving {@code body}. */
  public MetricsServer(InetSocketAddress address, Supplier<String> body) throws IOException {
    this.socket = new ServerSocket();
    socket.bind(address);
    this.body = body;
    this.thread = new Thread(this::serve, "culprit-metrics");
    thread.setDaemon(true);
    thread.start();
  }

  /** The bound address (with the port chosen for port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing the metrics socket: {}", e.toString());
    }
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket c = socket.accept()) {
        c.setSoTimeout(5000);
        handle(c);
      } catch (SocketException e) {
        if (!socket.isClosed()) {
          LOG.debug("metrics connection: {}", e.toString());
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("metrics connection: {}", e.toString());
      }
    }
  }

  private void handle(Socket c) throws IOException {
    String head = readHead(c.getInputStream());
    if (head == null) {
      return;
    }
    String line = head.lines().findFirst().orElse("");
    String[] parts = line.split(" ");
    OutputStream out = c.getOutputStream();
    if (parts.length == 3
        && parts[0].equals("GET")
        && (parts[1].equals("/metrics") || parts[1].startsWith("/metrics?"))) {
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                  + "Content-Length: "
                  + bytes.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
    } else {
      out.write(
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
    }
    out.flush();
  }

  /** The request up to its blank line, or null when it never ends within the bound. */
  private static String readHead(InputStream in) throws IOException {
    byte[] buf = new byte[MAX_HEAD_BYTES];
    int n = 0;
    while (n < buf.length) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      buf[n++] = (byte) b;
      if (n >= 4
          && buf[n - 4] == '\r'
          && buf[n - 3] == '\n'
          && buf[n - 2] == '\r'
          && buf[n - 1] == '\n') {
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
      }
    }
    return null;
  }
}
