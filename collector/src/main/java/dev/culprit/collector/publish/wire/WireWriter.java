package dev.culprit.collector.publish.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes Kafka protocol primitives into a growable array: fixed-width big-endian integers, the
 * unsigned and zig-zag varints of flexible messages and record batches, and the string and array
 * forms of both message families (classic: int16/int32 lengths; compact: unsigned varint length +
 * 1). See the protocol guide, https://kafka.apache.org/protocol#protocol_types.
 */
final class WireWriter {

  private byte[] buf;
  private int size;

  WireWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  int size() {
    return size;
  }

  /** Empties the writer, keeping its array. */
  void reset() {
    size = 0;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  WireWriter int8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  WireWriter int16(int v) {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  WireWriter int32(int v) {
    ensure(4);
    putInt32(size, v);
    size += 4;
    return this;
  }

  WireWriter int64(long v) {
    int32((int) (v >>> 32));
    return int32((int) v);
  }

  WireWriter bool(boolean v) {
    return int8(v ? 1 : 0);
  }

  /** An unsigned varint (7 bits a byte, least significant first). */
  WireWriter uvarint(int v) {
    ensure(5);
    while ((v & ~0x7F) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
    return this;
  }

  /** A signed varint, zig-zag encoded (record batches). */
  WireWriter varint(int v) {
    return uvarint((v << 1) ^ (v >> 31));
  }

  /** A signed varlong, zig-zag encoded (record timestamps). */
  WireWriter varlong(long v) {
    long z = (v << 1) ^ (v >> 63);
    ensure(10);
    while ((z & ~0x7FL) != 0) {
      buf[size++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    buf[size++] = (byte) z;
    return this;
  }

  WireWriter bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  WireWriter bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  /** A classic nullable string: int16 length (-1 for null), UTF-8 bytes. */
  WireWriter nullableString(String s) {
    if (s == null) {
      return int16(-1);
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("string of " + b.length + " bytes");
    }
    return int16(b.length).bytes(b);
  }

  /** A compact string: unsigned varint length + 1, UTF-8 bytes. */
  WireWriter compactString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return uvarint(b.length + 1).bytes(b);
  }

  /** A compact nullable string: 0 for null. */
  WireWriter compactNullableString(String s) {
    return s == null ? uvarint(0) : compactString(s);
  }

  /** The length prefix of a compact array of {@code n} elements. */
  WireWriter compactArrayLength(int n) {
    return uvarint(n + 1);
  }

  /** No tagged fields (flexible versions end every structure with their count). */
  WireWriter noTaggedFields() {
    return uvarint(0);
  }

  /** A zero UUID: "no topic id", the value a name-addressed request sends. */
  WireWriter zeroUuid() {
    return int64(0).int64(0);
  }

  /** Reserves four bytes to be filled by {@link #putInt32} later; returns their position. */
  int reserveInt32() {
    int at = size;
    int32(0);
    return at;
  }

  void putInt32(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
