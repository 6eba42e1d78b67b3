package dev.culprit.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP server that listens with a tiny backlog and never calls {@code accept()}: the kernel
 * completes a handshake or two into its accept queue, the queue is full, and every further SYN or
 * final ACK is dropped, counted in TcpExt {@code ListenOverflows} and {@code ListenDrops}. That is
 * the {@code listen-overflow} fault; a server that is merely slow would let the queue drain.
 *
 * <p>Run by the lab as {@code ip netns exec culprit-web java -cp JAR dev.culprit.lab.StuckListener
 * PORT BACKLOG}; it prints one line once it listens.
 */
public final class StuckListener {

  private StuckListener() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: StuckListener PORT BACKLOG");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int backlog = Integer.parseInt(args[1]);
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(port), backlog);
      System.out.println(
          "listening on port " + port + " with backlog " + backlog + ", never accepting");
      System.out.flush();
      while (true) {
        LockSupport.park(); // until the lab ends this process
      }
    }
  }
}
