package dev.culprit.collector.publish.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
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
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore == null ? null : load(trustStore, "ssl.truststore"));
      KeyManagerFactory keys = null;
      if (keyStore != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
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
      SSLContext context = SSLContext.getInstance(protocol);
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return new TlsSettings(context, verifyHostname, protocols, cipherSuites);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "ssl.protocol=" + protocol + ": the JDK cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Store store, String setting) {
    String type = store.type() == null ? "JKS" : store.type().toUpperCase(Locale.ROOT);
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
   * timeout.
   *
   * @param onCreated receives the TLS socket before the handshake, so that closing it from another
   *     thread ends a stalled handshake
   * @throws AuthenticationException when the broker's certificate is not trusted or does not name
   *     {@code host}, or the broker refuses this client's certificate: retrying cannot help
   */
  SSLSocket start(Socket plain, String host, int port, Consumer<SSLSocket> onCreated)
      throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    onCreated.accept(s);
    SSLParameters p = s.getSSLParameters();
    if (verifyHostname) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!protocols.isEmpty()) {
      p.setProtocols(protocols.toArray(String[]::new));
    }
    if (!cipherSuites.isEmpty()) {
      p.setCipherSuites(cipherSuites.toArray(String[]::new));
    }
    s.setSSLParameters(p);
    try {
      s.startHandshake();
    } catch (SSLHandshakeException e) {
      if (refusedForGood(e)) {
        throw new AuthenticationException(
            "TLS handshake with broker " + host + ":" + port + " failed: " + e.getMessage(), e);
      }
      throw e;
    }
    return s;
  }

  /**
   * Whether a failed handshake says something that stays true on the next try (a certificate not
   * trusted, not naming the broker, or refused) rather than a connection that ended midway.
   */
  private static boolean refusedForGood(SSLHandshakeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException) {
        return true;
      }
      if (t instanceof EOFException) {
        return false;
      }
    }
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    // An alert from the broker about this client's certificate (mutual TLS).
    return m.contains("bad_certificate")
        || m.contains("certificate_unknown")
        || m.contains("unknown_ca")
        || m.contains("certificate_required");
  }
}
