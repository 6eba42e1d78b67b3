package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One TLS connection of the built-in client against a TLS server that misbehaves as a stalled or
 * restarting broker does: the watchdog's close must end a write blocked on a peer that no longer
 * reads, and a connection that breaks mid-handshake must be retried, not taken as a refusal.
 */
class TlsConnectionTest {

  private static final String PASSWORD = "culprit-tls-conn";

  @TempDir static Path dir;
  private static SSLContext serverContext;
  private static TlsSettings client;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates certs = new TestCertificates(dir, PASSWORD);
    assumeTrue(certs.available(), "this JDK has no keytool to make a certificate");
    Path keys = certs.keyPair("server", "localhost", "ip:127.0.0.1");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keys)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    client = trusting(certs.certificate("server"));
  }

  @Test
  void closingAConnectionBlockedInAWriteToAPeerThatStoppedReadingReturnsAtOnce() throws Exception {
    CountDownLatch handshaken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (SSLServerSocket server =
        (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Void> peer =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.startHandshake();
                  handshaken.countDown();
                  // Never reads again: the client's write fills every buffer and blocks.
                  release.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                  // the test closes it
                }
              });
      BrokerConnection c = new BrokerConnection("127.0.0.1:" + server.getLocalPort(), "t", client);
      try {
        c.connect("127.0.0.1", server.getLocalPort(), 30_000);
        assertThat(handshaken.await(10, TimeUnit.SECONDS)).isTrue();
        byte[] chunk = new byte[1 << 20];
        CompletableFuture<Throwable> call =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    // 16 MiB: more than the peer's 4 KiB receive buffer and this side's send buffer
                    // hold.
                    c.call(
                        ApiVersionsMessage.KEY,
                        ApiVersionsMessage.VERSION,
                        w -> {
                          for (int i = 0; i < 16; i++) {
                            w.bytes(chunk);
                          }
                        });
                    return null;
                  } catch (Throwable t) {
                    return t;
                  }
                });
        // The write is blocked once the call has been busy a while (building 16 MiB takes
        // milliseconds) and has not ended.
        while (!call.isDone() && !busyLongerThan(c, Duration.ofSeconds(3))) {
          Thread.sleep(50); // polling the connection's busy clock
        }
        assertThat(call.isDone()).as("the write blocked").isFalse();
        long start = System.nanoTime();
        c.closeIfBusyLongerThan(0);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("the close did not wait for the blocked write")
            .isLessThan(Duration.ofSeconds(2));
        assertThat(call.get(5, TimeUnit.SECONDS))
            .as("the blocked write ended with an I/O error")
            .isInstanceOf(IOException.class);
      } finally {
        c.close();
        release.countDown();
      }
      peer.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionThatBreaksMidHandshakeIsRetriedNotTakenAsARefusal() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Void> peer =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = server.accept()) {
                  s.getInputStream().read(new byte[64]); // part of the ClientHello, then gone
                } catch (IOException e) {
                  // done
                }
              });
      try (BrokerConnection c =
          new BrokerConnection("127.0.0.1:" + server.getLocalPort(), "t", client)) {
        assertThatThrownBy(() -> c.connect("127.0.0.1", server.getLocalPort(), 10_000))
            .isInstanceOf(IOException.class)
            .isNotInstanceOf(AuthenticationException.class);
      }
      peer.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aServerWhoseCertificateIsNotTrustedIsARefusal() throws Exception {
    TestCertificates other =
        new TestCertificates(Files.createDirectory(dir.resolve("other")), PASSWORD);
    other.keyPair("stranger", "localhost", "ip:127.0.0.1");
    TlsSettings trustsAStranger = trusting(other.certificate("stranger"));
    try (SSLServerSocket server =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peer =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.startHandshake();
                } catch (IOException e) {
                  // the client refuses
                }
              });
      try (BrokerConnection c =
          new BrokerConnection("127.0.0.1:" + server.getLocalPort(), "t", trustsAStranger)) {
        assertThatThrownBy(() -> c.connect("127.0.0.1", server.getLocalPort(), 10_000))
            .isInstanceOf(AuthenticationException.class)
            .hasMessageContaining("TLS handshake with broker 127.0.0.1:" + server.getLocalPort());
      }
      peer.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theSessionsKeptForResumptionAreBoundedNotTheJdksTwentyThousand() {
    assertThat(client.sessionCacheSize()).isEqualTo(TlsSettings.SESSION_CACHE).isLessThan(100);
  }

  @Test
  void whatIsARefusalAndWhatIsABrokenConnection() {
    assertThat(TlsSettings.refusedForGood(new SSLHandshakeException("PKIX path building failed")))
        .isTrue();
    assertThat(
            TlsSettings.refusedForGood(
                new SSLException("Received fatal alert: certificate_required")))
        .as("TLS 1.3: the broker refuses this client's certificate after the handshake")
        .isTrue();
    SSLHandshakeException eof = new SSLHandshakeException("Remote host terminated the handshake");
    eof.initCause(new java.io.EOFException("SSL peer shut down incorrectly"));
    assertThat(TlsSettings.refusedForGood(eof)).isFalse();
    assertThat(
            TlsSettings.refusedForGood(
                new SSLException(
                    "Couldn't kickstart handshaking",
                    new java.net.SocketTimeoutException("Read timed out"))))
        .isFalse();
    assertThat(TlsSettings.refusedForGood(new SSLException("Connection reset"))).isFalse();
  }

  /** A client's TLS settings as the agent's defaults, trusting the PEM certificate {@code pem}. */
  private static TlsSettings trusting(Path pem) {
    return TlsSettings.of(
        new TlsSettings.Store(pem, "PEM", null),
        null,
        null,
        "TLSv1.3",
        true,
        List.of("TLSv1.2", "TLSv1.3"),
        List.of());
  }

  private static boolean busyLongerThan(BrokerConnection c, Duration d) {
    return c.busyNanos() > d.toNanos();
  }
}
