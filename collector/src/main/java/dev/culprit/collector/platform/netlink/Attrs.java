package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The attributes ({@code struct rtattr}: u16 length incl. its 4-byte header, u16 type, payload
 * padded to 4) in one region of a message, indexed by type like iproute2's {@code parse_rtattr}:
 * the first attribute of a type wins, types above {@code max} are ignored (a newer kernel), and the
 * NLA_F_NESTED / NLA_F_NET_BYTEORDER flag bits are masked off the type.
 */
public final class Attrs {

  private static final int TYPE_MASK = 0x3fff;

  private final ByteBuffer buffer;
  private final int[] offset;
  private final int[] length;

  private Attrs(ByteBuffer buffer, int max) {
    this.buffer = buffer;
    this.offset = new int[max + 1];
    this.length = new int[max + 1];
    java.util.Arrays.fill(offset, -1);
  }

  /**
   * Indexes the attributes between {@code from} and {@code to} (absolute positions) of {@code
   * buffer}.
   *
   * @throws NetlinkException when an attribute's length runs past {@code to}
   */
  public static Attrs parse(ByteBuffer buffer, int from, int to, int max) throws NetlinkException {
    Attrs attrs = new Attrs(buffer, max);
    int pos = from;
    while (pos + 4 <= to) {
      int len = buffer.getShort(pos) & 0xffff;
      int type = buffer.getShort(pos + 2) & TYPE_MASK;
      if (len < 4 || pos + len > to) {
        throw new NetlinkException("malformed attribute at byte " + pos + ": length " + len);
      }
      if (type <= max && attrs.offset[type] < 0) {
        attrs.offset[type] = pos + 4;
        attrs.length[type] = len - 4;
      }
      pos += NlMessages.align(len);
    }
    return attrs;
  }

  /** Whether attribute {@code type} is present. */
  public boolean has(int type) {
    return type < offset.length && offset[type] >= 0;
  }

  /** The payload length of {@code type}, or -1 when absent. */
  public int length(int type) {
    return has(type) ? length[type] : -1;
  }

  /** Absolute position of {@code type}'s payload in the buffer. */
  public int offset(int type) {
    return offset[type];
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  /** A u8 attribute, or null when absent or short. */
  public Integer u8(int type) {
    return length(type) >= 1 ? buffer.get(offset[type]) & 0xff : null;
  }

  /** A u32 attribute as an unsigned value, or null when absent or short. */
  public Long u32(int type) {
    return length(type) >= 4 ? buffer.getInt(offset[type]) & 0xffffffffL : null;
  }

  /** A u64 attribute (unsigned, as Java's long bits), or null when absent or short. */
  public Long u64(int type) {
    return length(type) >= 8 ? buffer.getLong(offset[type]) : null;
  }

  /** A NUL-terminated string attribute, or null when absent. */
  public String string(int type) {
    if (!has(type)) {
      return null;
    }
    int start = offset[type];
    int end = start;
    int limit = start + length[type];
    while (end < limit && buffer.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - start];
    buffer.get(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Whether {@code type} is the NUL-terminated string {@code ascii}, compared where it stands (no
   * String made: the nf_tables rule dump names every expression of every rule, every cycle).
   */
  public boolean stringEquals(int type, String ascii) {
    if (!has(type)) {
      return false;
    }
    int start = offset[type];
    int limit = start + length[type];
    int n = ascii.length();
    for (int i = 0; i < n; i++) {
      if (start + i >= limit || buffer.get(start + i) != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return start + n == limit || buffer.get(start + n) == 0;
  }

  /** A copy of {@code type}'s payload, or null when absent. */
  public byte[] bytes(int type) {
    if (!has(type)) {
      return null;
    }
    byte[] bytes = new byte[length[type]];
    buffer.get(offset[type], bytes);
    return bytes;
  }

  /** The attributes nested inside {@code type}, or null when absent. */
  public Attrs nested(int type, int max) throws NetlinkException {
    if (!has(type)) {
      return null;
    }
    return parse(buffer, offset[type], offset[type] + length[type], max);
  }
}
