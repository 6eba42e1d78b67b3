package dev.culprit.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The lab's plain-TCP workload: echoes every connection's bytes back until the client closes. It
 * replaces {@code busybox nc -ll}, whose listen backlog of 1 would let a few simultaneous clients
 * overflow the accept queue on a healthy server — the lab must never make a fault it was not asked
 * for. Run as {@code ip netns exec culprit-web java -cp JAR dev.culprit.lab.EchoServer PORT}.
 */
public final class EchoServer {

  /** Far above the lab's clients, each of which holds at most one connection here. */
  static final int BACKLOG = 128;

  private static final int IDLE_TIMEOUT_MS = 10_000;

  private EchoServer() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: EchoServer PORT");
      System.exit(2);
    }
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(Integer.parseInt(args[0])), BACKLOG);
      System.out.println("echoing on port " + args[0]);
      System.out.flush();
      while (true) {
        Socket client = server.accept();
        Thread thread = new Thread(() -> echo(client), "echo-" + client.getPort());
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  private static void echo(Socket client) {
    try (client;
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream()) {
      // A client lost to a fault must not hold a thread forever.
      client.setSoTimeout(IDLE_TIMEOUT_MS);
      in.transferTo(out);
    } catch (IOException e) {
      // Timeouts and resets are what faults do to connections; the next one is served anyway.
    }
  }
}
