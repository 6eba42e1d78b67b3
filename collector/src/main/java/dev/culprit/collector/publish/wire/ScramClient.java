package dev.culprit.collector.publish.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka speaks it: no
 * channel binding ({@code n,,}), the password salted with PBKDF2 by the JDK, and the server's
 * signature checked so a broker that does not know the password cannot pass for one that does. One
 * instance per authentication.
 */
final class ScramClient {

  /** Kafka's own floor for SCRAM iterations: fewer is a downgrade, not a broker setting. */
  static final int MIN_ITERATIONS = 4096;

  private final String hmac;
  private final String digest;
  private final String pbkdf2;
  private final int keyBits;
  private final String username;
  private final String password;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] expectedServerSignature;

  ScramClient(String mechanism, String username, String password) {
    this(mechanism, username, password, newNonce());
  }

  /** With a fixed nonce, for the RFC's test vectors. */
  ScramClient(String mechanism, String username, String password, String clientNonce) {
    switch (mechanism) {
      case "SCRAM-SHA-256" -> {
        hmac = "HmacSHA256";
        digest = "SHA-256";
        pbkdf2 = "PBKDF2WithHmacSHA256";
        keyBits = 256;
      }
      case "SCRAM-SHA-512" -> {
        hmac = "HmacSHA512";
        digest = "SHA-512";
        pbkdf2 = "PBKDF2WithHmacSHA512";
        keyBits = 512;
      }
      default -> throw new IllegalArgumentException("not a SCRAM mechanism: " + mechanism);
    }
    this.username = username;
    this.password = password;
    this.clientNonce = clientNonce;
  }

  /** {@code n,,n=user,r=nonce}. */
  byte[] clientFirstMessage() {
    clientFirstBare = "n=" + saslName(username) + ",r=" + clientNonce;
    return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
  }

  /** The proof for the server's first message {@code r=…,s=…,i=…}. */
  byte[] clientFinalMessage(byte[] serverFirst) throws AuthenticationException {
    String serverFirstMessage = new String(serverFirst, StandardCharsets.UTF_8);
    Map<String, String> attrs = attributes(serverFirstMessage);
    if (attrs.containsKey("e")) {
      throw new AuthenticationException("SCRAM: the broker refuses: " + attrs.get("e"));
    }
    String nonce = attrs.get("r");
    String salt = attrs.get("s");
    int iterations;
    try {
      iterations = Integer.parseInt(attrs.getOrDefault("i", ""));
    } catch (NumberFormatException e) {
      throw new AuthenticationException("SCRAM: no iteration count in the broker's first message");
    }
    if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
      throw new AuthenticationException("SCRAM: the broker's nonce does not extend ours");
    }
    if (salt == null || iterations < MIN_ITERATIONS) {
      throw new AuthenticationException(
          "SCRAM: the broker asks for " + iterations + " iterations, below " + MIN_ITERATIONS);
    }
    try {
      byte[] saltedPassword = saltedPassword(Base64.getDecoder().decode(salt), iterations);
      String withoutProof = "c=" + base64("n,,".getBytes(StandardCharsets.UTF_8)) + ",r=" + nonce;
      String authMessage = clientFirstBare + "," + serverFirstMessage + "," + withoutProof;
      byte[] clientKey = hmac(saltedPassword, "Client Key");
      byte[] storedKey = MessageDigest.getInstance(digest).digest(clientKey);
      byte[] clientSignature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
      }
      expectedServerSignature = hmac(hmac(saltedPassword, "Server Key"), authMessage);
      return (withoutProof + ",p=" + base64(proof)).getBytes(StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new AuthenticationException("SCRAM: cannot compute the proof: " + e.getMessage(), e);
    }
  }

  /** Checks the server's final message {@code v=signature}. */
  void verifyServerFinal(byte[] serverFinal) throws AuthenticationException {
    Map<String, String> attrs = attributes(new String(serverFinal, StandardCharsets.UTF_8));
    if (attrs.containsKey("e")) {
      throw new AuthenticationException("SCRAM: the broker refuses: " + attrs.get("e"));
    }
    String v = attrs.get("v");
    if (v == null
        || expectedServerSignature == null
        || !MessageDigest.isEqual(Base64.getDecoder().decode(v), expectedServerSignature)) {
      throw new AuthenticationException(
          "SCRAM: the broker's signature is wrong: it does not know this user's credentials");
    }
  }

  private byte[] saltedPassword(byte[] salt, int iterations) throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, keyBits);
    try {
      return SecretKeyFactory.getInstance(pbkdf2).generateSecret(spec).getEncoded();
    } finally {
      spec.clearPassword();
    }
  }

  private byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(hmac);
    mac.init(new SecretKeySpec(key, hmac));
    return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> attributes(String message) {
    Map<String, String> attrs = new HashMap<>();
    for (String part : message.split(",")) {
      int eq = part.indexOf('=');
      if (eq == 1) {
        attrs.putIfAbsent(part.substring(0, 1), part.substring(2));
      }
    }
    return attrs;
  }

  /** RFC 5802 saslname: ',' and '=' escaped. */
  private static String saslName(String name) {
    return name.replace("=", "=3D").replace(",", "=2C");
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String newNonce() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
