package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the built-in client (security.protocol SSL or SASL_SSL), with the JDK's own TLS: the
 * Kafka client settings an agent's {@code --kafka-config} names for it, read once at start.
 *
 * <p>What the Java client does by default, this does too: the JDK's trusted certificates when no
 * trust store is given, the broker's name checked against its certificate ({@code
 * ssl.endpoint.identification.algorithm=https}), TLS 1.2 and 1.3. A trust store or key store that
 * cannot be read fails the agent's start with the setting's name, as a typo should.
 */
public final class TlsSettings {

  /** TLS sessions kept for resumption, across all brokers. */
  static final int SESSION_CACHE = 64;

  private final SSLContext context;
  private final boolean verifyHostname;
  private final List<String> protocols;
  private final List<String> cipherSuites;

  /**
   * @param context the JDK context with the trust (and key) managers
   * @param verifyHostname whether the broker's certificate must name the address connected to
   * @param protocols the TLS versions offered, empty for the context's defaults
   * @param cipherSuites the suites offered, empty for the context's defaults
   */
  public TlsSettings(
      SSLContext context,
      boolean verifyHostname,
      List<String> protocols,
      List<String> cipherSuites) {
    this.context = context;
    this.verifyHostname = verifyHostname;
    this.protocols = List.copyOf(protocols);
    this.cipherSuites = List.copyOf(cipherSuites);
  }

  /** A store the settings name: its file, type (JKS, PKCS12, PEM) and password (may be null). */
  public record Store(Path location, String type, char[] password) {}

  /**
   * The settings from the client's values.
   *
   * @param trustStore the trust store, or null for the JDK's trusted certificates
   * @param keyStore the key store for a client certificate, or null
   * @param keyPassword the key's password in the key store (its store password when null)
   * @param protocol the context's protocol ({@code ssl.protocol}, TLSv1.3 by default)
   * @throws IllegalArgumentException naming the setting a store or value that cannot be used
   */
  public static TlsSettings of(
      Store trustStore,
      Store keyStore,
      char[] keyPassword,
      String protocol,
      boolean verifyHostname,
      List<String> protocols,
      List<String> cipherSuites) {
    TrustManagerFactory trust;
    try {
      trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore == null ? null : load(trustStore, "ssl.truststore"));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "ssl.truststore.location: cannot trust its certificates: " + e.getMessage(), e);
    }
    KeyManagerFactory keys = null;
    if (keyStore != null) {
      try {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(
            load(keyStore, "ssl.keystore"),
            keyPassword != null ? keyPassword : keyStore.password());
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "ssl.key.password: cannot read the key in "
                + keyStore.location()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    SSLContext context;
    try {
      context = SSLContext.getInstance(protocol);
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      // Sessions to resume: one per broker is what this client uses. The JDK keeps 20 480 for a
      // day by default, and every reconnect to a flapping broker adds one, on a 64 MiB heap.
      context.getClientSessionContext().setSessionCacheSize(SESSION_CACHE);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "ssl.protocol=" + protocol + ": the JDK cannot set up TLS: " + e.getMessage(), e);
    }
    TlsSettings settings = new TlsSettings(context, verifyHostname, protocols, cipherSuites);
    // Unknown protocol or suite names fail now, not at every connection.
    SSLEngine probe = context.createSSLEngine();
    try {
      probe.setSSLParameters(settings.parameters(probe.getSSLParameters()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "ssl.enabled.protocols / ssl.cipher.suites: " + e.getMessage(), e);
    }
    return settings;
  }

  private static KeyStore load(Store store, String setting) {
    // PEM exactly, as the Java client reads it; other names go to KeyStore, which ignores case.
    String type = store.type() == null ? "JKS" : store.type();
    try (InputStream in = Files.newInputStream(store.location())) {
      if (type.equals("PEM")) {
        // Certificates only: a trust store of one or more PEM certificates (a CA bundle).
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> certificates = x509.generateCertificates(in);
        if (certificates.isEmpty()) {
          throw new IllegalArgumentException(
              setting + ".location: no certificate in " + store.location());
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certificates) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
      }
      KeyStore ks = KeyStore.getInstance(type);
      ks.load(in, store.password());
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting
              + ".location: cannot read "
              + store.location()
              + " as "
              + type
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Starts TLS on {@code plain}, a socket connected to {@code host} (the name the broker was given
   * by, for SNI and the certificate check), and completes the handshake within the socket's read
   * timeout. Closing {@code plain} from another thread ends a stalled handshake.
   *
   * @throws AuthenticationException when the handshake failed for a reason the next try meets again
   *     ({@link #refusedForGood}): retrying cannot help
   */
  SSLSocket start(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    s.setSSLParameters(parameters(s.getSSLParameters()));
    try {
      s.startHandshake();
    } catch (SSLException e) {
      if (refusedForGood(e)) {
        throw refused(host + ":" + port, e);
      }
      throw e;
    }
    return s;
  }

  /** Whether the broker's certificate must name the address connected to. */
  public boolean verifiesHostname() {
    return verifyHostname;
  }

  /** The sessions this client keeps for resumption, at most {@link #SESSION_CACHE}. */
  int sessionCacheSize() {
    return context.getClientSessionContext().getSessionCacheSize();
  }

  private SSLParameters parameters(SSLParameters p) {
    if (verifyHostname) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!protocols.isEmpty()) {
      p.setProtocols(protocols.toArray(String[]::new));
    }
    if (!cipherSuites.isEmpty()) {
      p.setCipherSuites(cipherSuites.toArray(String[]::new));
    }
    return p;
  }

  /** The failure of TLS with {@code broker} as what it is: a refusal, not a lost connection. */
  static AuthenticationException refused(String broker, SSLException e) {
    return new AuthenticationException(
        "TLS handshake with broker " + broker + " failed: " + e.getMessage(), e);
  }

  /**
   * Whether a TLS failure says something that stays true on the next try — a certificate not
   * trusted or not naming the broker, no protocol or suite in common, this client's certificate
   * refused — rather than a connection that broke midway (an I/O error under it, a timeout). Under
   * TLS 1.3 a refused client certificate arrives after the client's handshake is done, on the first
   * read: callers apply this to the first request on a connection too, as the Java client does.
   */
  static boolean refusedForGood(SSLException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IOException && !(t instanceof SSLException)) {
        return false; // EOF, reset, timeout: the connection, not the TLS
      }
    }
    if (e instanceof SSLHandshakeException) {
      return true;
    }
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return m.contains("bad_certificate")
        || m.contains("certificate_unknown")
        || m.contains("certificate_required")
        || m.contains("unknown_ca")
        || m.contains("access_denied")
        || m.contains("handshake_failure")
        || m.contains("protocol_version")
        || m.contains("insufficient_security");
  }
}
