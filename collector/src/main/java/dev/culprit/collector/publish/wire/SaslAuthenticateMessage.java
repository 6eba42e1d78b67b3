package dev.culprit.collector.publish.wire;

/**
 * SaslAuthenticate (key 36) v2, flexible: one step of the SASL exchange, its bytes opaque to Kafka
 * (the mechanism's own messages), and the broker's answer with an error message on failure.
 */
final class SaslAuthenticateMessage {

  static final short KEY = 36;
  static final short VERSION = 2;

  private SaslAuthenticateMessage() {}

  static void writeRequest(WireWriter w, byte[] authBytes) {
    w.uvarint(authBytes.length + 1);
    w.bytes(authBytes);
    w.noTaggedFields();
  }

  record Response(short errorCode, String errorMessage, byte[] authBytes) {}

  static Response readResponse(WireReader r) throws WireProtocolException {
    short error = r.int16();
    String message = r.compactNullableString();
    byte[] bytes = r.compactBytes();
    r.int64(); // session lifetime: re-authentication (KIP-368) is not needed by this client
    r.skipTaggedFields();
    return new Response(error, message, bytes);
  }
}
