package dev.culprit.collector.publish.wire;

import java.util.HashMap;
import java.util.Map;

/**
 * ApiVersions (key 18) v3: which versions of each API the broker speaks. The first request on every
 * connection; its response header is always v0 (no tagged fields), whatever the request's version,
 * so an old broker can answer a client newer than itself.
 */
final class ApiVersionsMessage {

  static final short KEY = 18;
  static final short VERSION = 3;

  private ApiVersionsMessage() {}

  static void writeRequest(WireWriter w, String softwareVersion) {
    w.compactString("culprit-collector");
    w.compactString(softwareVersion);
    w.noTaggedFields();
  }

  /** The broker's version ranges by API key, each {@code {min, max}}. */
  record Response(short errorCode, Map<Short, short[]> versions) {

    /** The highest version of {@code apiKey} both sides speak, or -1 when the ranges miss. */
    short pick(short apiKey, short ourMin, short ourMax) {
      short[] range = versions.get(apiKey);
      if (range == null) {
        return -1;
      }
      short v = (short) Math.min(ourMax, range[1]);
      return v >= Math.max(ourMin, range[0]) ? v : -1;
    }
  }

  static Response readResponse(WireReader r) throws WireProtocolException {
    short error = r.int16();
    if (error != KafkaErrors.NONE) {
      // An old broker answers an unsupported version with a v0 body; its error is what matters.
      return new Response(error, Map.of());
    }
    int n = r.compactArrayLength();
    Map<Short, short[]> versions = new HashMap<>();
    for (int i = 0; i < n; i++) {
      short key = r.int16();
      short min = r.int16();
      short max = r.int16();
      r.skipTaggedFields();
      versions.put(key, new short[] {min, max});
    }
    r.int32(); // throttle time
    r.skipTaggedFields();
    return new Response(error, versions);
  }
}
