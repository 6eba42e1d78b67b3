package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Authenticates a new connection with SaslHandshake v1 and SaslAuthenticate v2 (KIP-152), before
 * any other request but ApiVersions: PLAIN sends the user name and password in one step; SCRAM
 * takes two and checks the broker's signature.
 */
final class SaslAuthenticator {

  /** SASL_AUTHENTICATION_FAILED: wrong user or password. */
  static final short SASL_AUTHENTICATION_FAILED = 58;

  /** UNSUPPORTED_SASL_MECHANISM: the listener does not enable the mechanism. */
  static final short UNSUPPORTED_SASL_MECHANISM = 33;

  /** ILLEGAL_SASL_STATE. */
  static final short ILLEGAL_SASL_STATE = 34;

  private SaslAuthenticator() {}

  static void authenticate(BrokerConnection c, SaslCredentials credentials) throws IOException {
    ByteBuffer answer =
        c.call(
            SaslHandshakeMessage.KEY,
            SaslHandshakeMessage.VERSION,
            w -> SaslHandshakeMessage.writeRequest(w, credentials.mechanism()));
    SaslHandshakeMessage.Response handshake =
        SaslHandshakeMessage.readResponse(new WireReader(answer));
    if (handshake.errorCode() != KafkaErrors.NONE) {
      throw new AuthenticationException(
          "broker "
              + c.address()
              + " does not take SASL mechanism "
              + credentials.mechanism()
              + " ("
              + errorName(handshake.errorCode())
              + "); it enables "
              + handshake.mechanisms());
    }
    if (credentials.mechanism().equals("PLAIN")) {
      // RFC 4616: authorization id (empty: the user itself), user name, password.
      byte[] message =
          ("\0" + credentials.username() + "\0" + credentials.password())
              .getBytes(StandardCharsets.UTF_8);
      step(c, credentials, message);
      return;
    }
    ScramClient scram =
        new ScramClient(credentials.mechanism(), credentials.username(), credentials.password());
    byte[] serverFirst = step(c, credentials, scram.clientFirstMessage());
    byte[] serverFinal = step(c, credentials, scram.clientFinalMessage(serverFirst));
    scram.verifyServerFinal(serverFinal);
  }

  private static byte[] step(BrokerConnection c, SaslCredentials credentials, byte[] message)
      throws IOException {
    ByteBuffer answer =
        c.call(
            SaslAuthenticateMessage.KEY,
            SaslAuthenticateMessage.VERSION,
            w -> SaslAuthenticateMessage.writeRequest(w, message));
    SaslAuthenticateMessage.Response r =
        SaslAuthenticateMessage.readResponse(new WireReader(answer));
    if (r.errorCode() != KafkaErrors.NONE) {
      throw new AuthenticationException(
          "broker "
              + c.address()
              + " refuses SASL "
              + credentials.mechanism()
              + " authentication of user "
              + credentials.username()
              + ": "
              + errorName(r.errorCode())
              + (r.errorMessage() == null ? "" : " (" + r.errorMessage() + ")"));
    }
    return r.authBytes();
  }

  private static String errorName(short code) {
    return switch (code) {
      case SASL_AUTHENTICATION_FAILED -> "SASL_AUTHENTICATION_FAILED";
      case UNSUPPORTED_SASL_MECHANISM -> "UNSUPPORTED_SASL_MECHANISM";
      case ILLEGAL_SASL_STATE -> "ILLEGAL_SASL_STATE";
      default -> KafkaErrors.name(code);
    };
  }
}
