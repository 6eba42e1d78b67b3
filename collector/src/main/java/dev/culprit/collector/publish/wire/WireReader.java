package dev.culprit.collector.publish.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads Kafka protocol primitives from a response body. Every read checks what is left, so a
 * truncated or garbled response becomes a {@link WireProtocolException} naming what was being read,
 * never an index error or a huge allocation.
 */
final class WireReader {

  private final ByteBuffer buf;

  WireReader(ByteBuffer buf) {
    this.buf = buf;
  }

  byte int8() throws WireProtocolException {
    need(1, "int8");
    return buf.get();
  }

  boolean bool() throws WireProtocolException {
    return int8() != 0;
  }

  short int16() throws WireProtocolException {
    need(2, "int16");
    return buf.getShort();
  }

  int int32() throws WireProtocolException {
    need(4, "int32");
    return buf.getInt();
  }

  long int64() throws WireProtocolException {
    need(8, "int64");
    return buf.getLong();
  }

  int uvarint() throws WireProtocolException {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = int8();
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new WireProtocolException("unsigned varint longer than 5 bytes");
  }

  void skip(int n, String what) throws WireProtocolException {
    need(n, what);
    buf.position(buf.position() + n);
  }

  void skipUuid() throws WireProtocolException {
    skip(16, "uuid");
  }

  String compactString() throws WireProtocolException {
    String s = compactNullableString();
    if (s == null) {
      throw new WireProtocolException("null where a string is required");
    }
    return s;
  }

  /** A classic nullable string: int16 length (-1 for null), UTF-8 bytes. */
  String nullableString() throws WireProtocolException {
    int len = int16();
    return len < 0 ? null : utf8(len);
  }

  /** Compact bytes: unsigned varint length + 1 (0 for null, read as empty). */
  byte[] compactBytes() throws WireProtocolException {
    int len = uvarint() - 1;
    if (len <= 0) {
      return new byte[0];
    }
    need(len, "bytes");
    byte[] b = new byte[len];
    buf.get(b);
    return b;
  }

  String compactNullableString() throws WireProtocolException {
    int len = uvarint() - 1;
    return len < 0 ? null : utf8(len);
  }

  /**
   * The element count of a compact array, -1 for null. Checked against the bytes left (every
   * element takes at least one byte), so a corrupt count cannot make the caller loop for long.
   */
  int compactArrayLength() throws WireProtocolException {
    int n = uvarint() - 1;
    if (n > buf.remaining()) {
      throw new WireProtocolException(
          "array of " + n + " elements in " + buf.remaining() + " bytes");
    }
    return n;
  }

  /** Skips a structure's tagged fields: fields this client does not read. */
  void skipTaggedFields() throws WireProtocolException {
    int n = uvarint();
    for (int i = 0; i < n; i++) {
      uvarint(); // tag
      int size = uvarint();
      skip(size, "tagged field");
    }
  }

  private String utf8(int len) throws WireProtocolException {
    need(len, "string");
    String s =
        new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
    buf.position(buf.position() + len);
    return s;
  }

  private void need(int n, String what) throws WireProtocolException {
    if (n < 0 || buf.remaining() < n) {
      throw new WireProtocolException(
          "response ends while reading " + what + " (" + buf.remaining() + " bytes left)");
    }
  }
}
