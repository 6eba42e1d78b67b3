package dev.culprit.collector.platform.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A Unix-socket HTTP server that replays captured Engine API responses: the only fake in the Docker
 * tests, for the HTTP framing cases a real dockerd cannot be made to produce on demand (timeouts,
 * malformed chunks). The real-engine tests use a private dockerd.
 */
final class FakeEngine implements AutoCloseable {

  /** What to do with one request: write raw bytes, possibly slowly, possibly never close. */
  interface Handler {
    void handle(String target, SocketChannel client) throws Exception;
  }

  private final ServerSocketChannel server;
  private final Thread thread;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Path socket;

  FakeEngine(Path socket, Handler handler) throws IOException {
    this.socket = socket;
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread =
        new Thread(
            () -> {
              while (server.isOpen()) {
                try {
                  SocketChannel client = server.accept();
                  Thread worker =
                      new Thread(
                          () -> {
                            try (client) {
                              String target = readRequestTarget(client);
                              requests.add(target);
                              handler.handle(target, client);
                            } catch (Exception e) {
                              // The client went away; nothing to do.
                            }
                          });
                  worker.setDaemon(true);
                  worker.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "fake-engine");
    thread.setDaemon(true);
    thread.start();
  }

  /** A handler answering each target with a complete response from {@code responses}. */
  static Handler responses(Function<String, String> responses) {
    return (target, client) -> write(client, responses.apply(target));
  }

  static String ok(String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "HTTP/1.1 200 OK\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + bytes.length
        + "\r\n\r\n"
        + body;
  }

  static String chunked(String... chunks) {
    StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (String chunk : chunks) {
      sb.append(Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length))
          .append("\r\n")
          .append(chunk)
          .append("\r\n");
    }
    return sb.append("0\r\n\r\n").toString();
  }

  static void write(SocketChannel client, String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      client.write(buf);
    }
  }

  Path socket() {
    return socket;
  }

  List<String> requests() {
    return requests;
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }

  private static String readRequestTarget(SocketChannel client) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      one.clear();
      if (client.read(one) < 0) {
        throw new IOException("client closed");
      }
      head.write(one.array()[0]);
    }
    String requestLine = head.toString(StandardCharsets.US_ASCII).split("\r\n")[0];
    return requestLine.split(" ")[1];
  }
}
