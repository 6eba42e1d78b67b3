package dev.culprit.collector.source.probe;

import dev.culprit.collector.testing.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server for probes to reach: accepts and closes every connection on its own thread, so the
 * accept queue never fills up. The channel may have been created in another namespace; the thread
 * runs in the test's own.
 */
final class Listener implements AutoCloseable {

  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();

  /** Binds {@code server} to {@code address} and starts accepting. */
  Listener(ServerSocketChannel server, InetSocketAddress address) throws IOException {
    this.server = server;
    server.bind(address, 128);
    acceptor = new Thread(this::acceptAll, "culprit-test-listener");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /** Waits until at least {@code n} connections were accepted. */
  void awaitAccepted(int n) {
    Poll.untilTrue(Duration.ofSeconds(10), n + " accepted connections", () -> accepted.get() >= n);
  }

  private void acceptAll() {
    while (server.isOpen()) {
      try (SocketChannel connection = server.accept()) {
        accepted.incrementAndGet();
      } catch (IOException closedOrReset) {
        // closed by close(), or the probe's RST came first: keep accepting while open
      }
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    acceptor.join(10_000);
  }
}
