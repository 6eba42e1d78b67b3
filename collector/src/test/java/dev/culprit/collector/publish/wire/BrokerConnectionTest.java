package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** One connection to a broker: which addresses it tries and which answers it refuses. */
class BrokerConnectionTest {

  @Test
  void aBrokerNameIsReachableThroughItsSecondAddressWhenTheFirstRefuses() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      // 127.0.0.2 is loopback too, but nothing listens there on this port: refused at once.
      InetAddress[] addresses = {
        InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")
      };
      try (BrokerConnection c = new BrokerConnection("broker:" + server.getLocalPort(), "t")) {
        c.connect(addresses, server.getLocalPort(), 2_000);
        try (Socket accepted = server.accept()) {
          assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
      }
    }
  }

  @Test
  void anAnswerLargerThanAnyThisClientAsksForFailsTheConnectionWithAClearError() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  in.readFully(new byte[in.readInt()]);
                  DataOutputStream out = new DataOutputStream(s.getOutputStream());
                  out.writeInt(5 << 20); // 5 MiB claimed, as a garbled or hostile peer would
                  out.writeInt(1);
                  out.flush();
                  in.read(); // until the client closes
                } catch (Exception e) {
                  // the client closed
                }
              });
      t.setDaemon(true);
      t.start();
      try (BrokerConnection c = new BrokerConnection("127.0.0.1:" + server.getLocalPort(), "t")) {
        c.connect("127.0.0.1", server.getLocalPort(), 5_000);
        assertThatThrownBy(
                () ->
                    c.call(
                        ApiVersionsMessage.KEY,
                        ApiVersionsMessage.VERSION,
                        w -> ApiVersionsMessage.writeRequest(w, "dev")))
            .isInstanceOf(WireProtocolException.class)
            .hasMessageContaining("frame of 5242880 bytes")
            .hasMessageContaining("beyond the 4194304 bytes");
        assertThatThrownBy(() -> c.call(ApiVersionsMessage.KEY, (short) 3, w -> {}))
            .as("the connection is closed, not left mid-frame")
            .isInstanceOf(java.io.IOException.class);
      }
      t.join(5_000);
    }
  }
}
