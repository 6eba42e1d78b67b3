package dev.culprit.broker.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one port, that can <em>stall</em>: stop forwarding in both
 * directions without closing or resetting anything, as a network partition does. Connections stay
 * open, requests go unanswered, new connections are accepted and then hear nothing: only the
 * clients' own timeouts notice. {@link #resume()} forwards again.
 */
public final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile boolean stalled;
  private volatile boolean closed;

  /** Listens on {@code port} (0: a free one) and forwards to 127.0.0.1:{@code targetPort}. */
  public TcpProxy(int port, int targetPort) throws IOException {
    this.targetPort = targetPort;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    Thread acceptor = new Thread(this::accept, "proxy-" + port() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding, leaving every connection open. */
  public void stall() {
    stalled = true;
  }

  /** Forwards again, on the connections that were stalled too. */
  public void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  /** Whether it forwards nothing now. */
  public boolean stalled() {
    return stalled;
  }

  /** Closes the listener and every connection through it. */
  @Override
  public void close() {
    closed = true;
    resume();
    closeQuietly(server);
    sockets.forEach(TcpProxy::closeQuietly);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(client);
      Thread t = new Thread(() -> connect(client), "proxy-" + port() + "-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream = null;
    try {
      awaitForwarding();
      upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(upstream);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      Socket up = upstream;
      Thread back = new Thread(() -> pump(up, client), "proxy-" + port() + "-down");
      back.setDaemon(true);
      back.start();
      pump(client, upstream);
    } catch (IOException | InterruptedException e) {
      // The broker is down or the proxy closes: the client sees its connection closed.
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      while (true) {
        // Waiting before the read leaves the bytes in the kernel's buffers, so a stalled peer's
        // window fills as on a real partition.
        awaitForwarding();
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        awaitForwarding();
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private void awaitForwarding() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) {
        gate.wait();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
