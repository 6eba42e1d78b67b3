package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The producer's connections, at most one per broker address, each with the API versions negotiated
 * on it (Kafka's {@code NetworkClient}, blocking and one request at a time). {@link #close} and
 * {@link #closeStuckConnections} may be called from any thread.
 */
final class NetworkClient implements AutoCloseable {

  /** An open connection and the versions negotiated on it. */
  record Session(BrokerConnection connection, short produce, short metadata, short init) {}

  private final WireProducer.Settings settings;
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, Long> throttledUntilNanos = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong connections =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastThrottleEndNanos;
  private volatile boolean throttledOnce;
  private int nextBootstrap;
  private volatile boolean closed;
  private volatile BrokerConnection opening;

  NetworkClient(WireProducer.Settings settings) {
    this.settings = settings;
  }

  /** An open session, reusing one when there is any, else to the next bootstrap address. */
  Session anySession() throws IOException {
    synchronized (sessions) {
      for (Session s : sessions.values()) {
        return s;
      }
    }
    List<String> bootstrap = settings.bootstrap();
    IOException last = null;
    for (int i = 0; i < bootstrap.size(); i++) {
      String address = bootstrap.get(nextBootstrap++ % bootstrap.size());
      try {
        return session(address);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The session to {@code address}, opened and negotiated when there is none. */
  Session session(String address) throws IOException {
    synchronized (sessions) {
      Session s = sessions.get(address);
      if (s != null) {
        return s;
      }
    }
    if (closed) {
      throw new IOException("producer closed");
    }
    HostPort hp = HostPort.parse(address);
    BrokerConnection c = new BrokerConnection(address, settings.clientId(), settings.tls());
    opening = c; // close() closes it while it connects and negotiates
    try {
      if (closed) {
        throw new IOException("producer closed");
      }
      c.connect(hp.host(), hp.port(), settings.requestTimeoutMs());
      connections.incrementAndGet();
      Session s;
      try {
        s = negotiate(c, settings.sasl() != null);
        if (settings.sasl() != null) {
          SaslAuthenticator.authenticate(c, settings.sasl());
        }
      } catch (SSLException e) {
        // Under TLS 1.3 the broker refuses this client's certificate only after the client's
        // handshake is done: the first request reads the alert.
        if (TlsSettings.refusedForGood(e)) {
          throw TlsSettings.refused(address, e);
        }
        throw e;
      }
      synchronized (sessions) {
        sessions.put(address, s);
      }
      if (closed) {
        dropSessions();
        throw new IOException("producer closed");
      }
      return s;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    } finally {
      opening = null;
    }
  }

  /**
   * Closes any connection whose call has run longer than the request timeout plus a second: a write
   * to a half-open connection has no timeout of its own.
   */
  void closeStuckConnections() {
    long limit = (settings.requestTimeoutMs() + 1_000L) * 1_000_000L;
    List<Session> open;
    synchronized (sessions) {
      open = new ArrayList<>(sessions.values());
    }
    for (Session s : open) {
      s.connection().closeIfBusyLongerThan(limit);
    }
    BrokerConnection c = opening;
    if (c != null) {
      c.closeIfBusyLongerThan(limit);
    }
  }

  /** TCP connections opened so far: a steady client opens one per broker and keeps it. */
  long connectionsOpened() {
    return connections.get();
  }

  /** The broker at {@code address} asked for no request for {@code ms} (a quota's throttle). */
  void throttle(String address, int ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    synchronized (throttledUntilNanos) {
      throttledUntilNanos.put(address, end);
    }
    if (!throttledOnce || end - lastThrottleEndNanos > 0) {
      lastThrottleEndNanos = end;
      throttledOnce = true;
    }
  }

  /** Whether a broker's throttle is in force or ended less than {@code nanos} ago. */
  boolean throttledWithin(long nanos) {
    return throttledOnce && System.nanoTime() - lastThrottleEndNanos < nanos;
  }

  /** How long to wait before the next request to {@code address}: 0 unless it is throttled. */
  long throttleDelayMs(String address) {
    synchronized (throttledUntilNanos) {
      Long until = throttledUntilNanos.get(address);
      if (until == null) {
        return 0;
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        throttledUntilNanos.remove(address);
        return 0;
      }
      return (left + 999_999) / 1_000_000;
    }
  }

  void dropSession(String address) {
    Session s;
    synchronized (sessions) {
      s = sessions.remove(address);
    }
    if (s != null) {
      s.connection().close();
    }
  }

  void dropSessions() {
    List<Session> open;
    synchronized (sessions) {
      open = new ArrayList<>(sessions.values());
      sessions.clear();
    }
    for (Session s : open) {
      s.connection().close();
    }
  }

  @Override
  public void close() {
    closed = true;
    dropSessions();
    BrokerConnection c = opening;
    if (c != null) {
      c.close();
    }
  }

  private static Session negotiate(BrokerConnection c, boolean sasl) throws IOException {
    ByteBuffer answer =
        c.call(
            ApiVersionsMessage.KEY,
            ApiVersionsMessage.VERSION,
            w -> ApiVersionsMessage.writeRequest(w, softwareVersion()));
    ApiVersionsMessage.Response r = ApiVersionsMessage.readResponse(new WireReader(answer));
    if (r.errorCode() != KafkaErrors.NONE) {
      throw new UnsupportedBrokerException(
          "broker "
              + c.address()
              + " refuses ApiVersions v3 ("
              + KafkaErrors.name(r.errorCode())
              + "): it predates the flexible protocol versions this client speaks");
    }
    short produce =
        r.pick(ProduceMessage.KEY, ProduceMessage.MIN_VERSION, ProduceMessage.MAX_VERSION);
    short metadata =
        r.pick(MetadataMessage.KEY, MetadataMessage.MIN_VERSION, MetadataMessage.MAX_VERSION);
    short init =
        r.pick(
            InitProducerIdMessage.KEY,
            InitProducerIdMessage.MIN_VERSION,
            InitProducerIdMessage.MAX_VERSION);
    if (produce < 0 || metadata < 0 || init < 0) {
      throw new UnsupportedBrokerException(
          "broker "
              + c.address()
              + " does not speak Produce v9-12, Metadata v9-12 and InitProducerId v2-5, the"
              + " versions this client needs");
    }
    if (sasl
        && (r.pick(
                    SaslHandshakeMessage.KEY,
                    SaslHandshakeMessage.VERSION,
                    SaslHandshakeMessage.VERSION)
                < 0
            || r.pick(
                    SaslAuthenticateMessage.KEY,
                    SaslAuthenticateMessage.VERSION,
                    SaslAuthenticateMessage.VERSION)
                < 0)) {
      throw new UnsupportedBrokerException(
          "broker "
              + c.address()
              + " does not speak SaslHandshake v1 and SaslAuthenticate v2, the versions this"
              + " client needs for SASL");
    }
    return new Session(c, produce, metadata, init);
  }

  /** The jar's version in the characters the broker accepts ({@code [a-zA-Z0-9.-]}, alnum ends). */
  static String softwareVersion() {
    String v = WireProducer.class.getPackage().getImplementationVersion();
    String clean =
        v == null
            ? ""
            : v.replaceAll("[^A-Za-z0-9.-]", "-").replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    return clean.isEmpty() ? "dev" : clean;
  }
}
