package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The text form of captured netlink dumps: one paragraph per message, a {@code #} comment line
 * naming its type, length, flags and sequence number, then its bytes in hex, 32 per line. Comment
 * and blank lines are ignored when reading, so a fixture can carry its own notes.
 */
public final class NlHex {

  private static final HexFormat HEX = HexFormat.of();
  private static final int PER_LINE = 32;

  private NlHex() {}

  /** Formats raw dump bytes (host byte order). */
  public static String format(byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    StringBuilder out = new StringBuilder(raw.length * 2 + raw.length / 8);
    int pos = 0;
    while (pos + NlMessages.HEADER <= raw.length) {
      int len = b.getInt(pos);
      int end =
          len < NlMessages.HEADER ? raw.length : Math.min(raw.length, pos + NlMessages.align(len));
      out.append(
          String.format(
              "# type=%d len=%d flags=0x%x seq=%d%n",
              b.getShort(pos + 4) & 0xffff, len, b.getShort(pos + 6) & 0xffff, b.getInt(pos + 8)));
      for (int i = pos; i < end; i += PER_LINE) {
        out.append(HEX.formatHex(raw, i, Math.min(end, i + PER_LINE))).append('\n');
      }
      out.append('\n');
      pos = end;
    }
    if (pos < raw.length) {
      out.append("# trailing bytes\n").append(HEX.formatHex(raw, pos, raw.length)).append('\n');
    }
    return out.toString();
  }

  /** Parses the text form back into bytes. */
  public static byte[] parse(String text) {
    StringBuilder hex = new StringBuilder(text.length());
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        hex.append(t);
      }
    }
    return HEX.parseHex(hex);
  }
}
