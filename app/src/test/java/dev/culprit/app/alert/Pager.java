package dev.culprit.app.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on 127.0.0.1: what a pager (or any JSON webhook consumer) gets. Keeps every
 * body it received and can be told to refuse (503) for a while.
 */
final class Pager implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;

  Pager() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int status = refusing ? 503 : 200;
          if (!refusing) {
            received.add(JSON.readTree(body));
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  List<JsonNode> received() {
    return List.copyOf(received);
  }

  void refuse(boolean value) {
    refusing = value;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
