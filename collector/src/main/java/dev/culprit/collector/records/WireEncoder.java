package dev.culprit.collector.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Avro's binary encoding (the specification's "Binary Encoding"), into a growing byte array:
 * zig-zag varints for int and long, little-endian IEEE 754 for float and double, length-prefixed
 * UTF-8 for strings, arrays and maps as one block of items and a zero. {@link #singleObject} frames
 * a record as Avro's single-object encoding ({@code C3 01}, the schema's fingerprint, the record),
 * as the processor's serde reads it. Not thread-safe; reusable after {@link #reset}.
 */
public final class WireEncoder {

  private byte[] buf;
  private int size;

  public WireEncoder() {
    this(256);
  }

  public WireEncoder(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /**
   * The single-object encoding of {@code record}: header, the little-endian fingerprint of its
   * schema, then its fields.
   */
  public static byte[] singleObject(long fingerprint, WireRecord record) {
    WireEncoder out = new WireEncoder();
    out.writeRaw((byte) 0xC3);
    out.writeRaw((byte) 0x01);
    for (int i = 0; i < 8; i++) {
      out.writeRaw((byte) (fingerprint >>> (8 * i)));
    }
    record.encodeTo(out);
    return out.toByteArray();
  }

  /**
   * {@code value}, or an exception naming the field when it is null where the schema allows no null
   * (what Avro's writer refuses too).
   */
  public static <T> T required(T value, String field) {
    if (value == null) {
      throw new NullPointerException("null in " + field + ", which the schema does not allow");
    }
    return value;
  }

  public void writeLong(long n) {
    ensure(10);
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  public void writeInt(int n) {
    writeLong(n);
  }

  /** A union's branch index. */
  public void writeIndex(int index) {
    writeLong(index);
  }

  public void writeBoolean(boolean b) {
    writeRaw((byte) (b ? 1 : 0));
  }

  public void writeFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[size++] = (byte) (bits >>> (8 * i));
    }
  }

  public void writeDouble(double d) {
    long bits = Double.doubleToRawLongBits(d);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[size++] = (byte) (bits >>> (8 * i));
    }
  }

  public void writeString(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeLong(utf8.length);
    ensure(utf8.length);
    System.arraycopy(utf8, 0, buf, size, utf8.length);
    size += utf8.length;
  }

  /** The buffer's remaining bytes, leaving its position as it was (as Avro's writer does). */
  public void writeBytes(ByteBuffer b) {
    int n = b.remaining();
    writeLong(n);
    ensure(n);
    b.duplicate().get(buf, size, n);
    size += n;
  }

  /** The start of an array or a map of {@code count} items: one block, unless empty. */
  public void writeBlockStart(int count) {
    if (count > 0) {
      writeLong(count);
    }
  }

  /** The end of an array or a map. */
  public void writeBlockEnd() {
    writeLong(0);
  }

  public int size() {
    return size;
  }

  public void reset() {
    size = 0;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void writeRaw(byte b) {
    ensure(1);
    buf[size++] = b;
  }

  private void ensure(int n) {
    if (buf.length - size < n) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }
}
