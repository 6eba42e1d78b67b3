package dev.culprit.collector.publish.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * SaslHandshake (key 17) v1: names the SASL mechanism; the broker answers with the mechanisms it
 * has enabled. Not a flexible version: request header v1 (no tagged fields), response header v0.
 * From v1 the SASL exchange itself goes in SaslAuthenticate requests (KIP-152).
 */
final class SaslHandshakeMessage {

  static final short KEY = 17;
  static final short VERSION = 1;

  private SaslHandshakeMessage() {}

  static void writeRequest(WireWriter w, String mechanism) {
    w.nullableString(mechanism);
  }

  record Response(short errorCode, List<String> mechanisms) {}

  static Response readResponse(WireReader r) throws WireProtocolException {
    short error = r.int16();
    int n = r.int32();
    if (n < 0 || n > 64) {
      throw new WireProtocolException("SaslHandshake answer lists " + n + " mechanisms");
    }
    List<String> mechanisms = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      mechanisms.add(r.nullableString());
    }
    return new Response(error, mechanisms);
  }
}
