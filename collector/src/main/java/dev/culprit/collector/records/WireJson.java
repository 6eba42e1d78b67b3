package dev.culprit.collector.records;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * JSON text of a record, for logs and test messages: the generated classes' {@code toString}, in
 * the layout of Avro's ({@code {"name": value, ...}}), strings escaped.
 */
public final class WireJson {

  private WireJson() {}

  /** {@code names[i]: values[i]} for every field, in order. */
  public static String object(String[] names, Object[] values) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      string(b, names[i]);
      b.append(": ");
      value(b, values[i]);
    }
    return b.append('}').toString();
  }

  private static void value(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof CharSequence s) {
      string(b, s.toString());
    } else if (v instanceof Enum<?> e) {
      string(b, e.name());
    } else if (v instanceof List<?> list) {
      b.append('[');
      for (int i = 0; i < list.size(); i++) {
        b.append(i == 0 ? "" : ", ");
        value(b, list.get(i));
      }
      b.append(']');
    } else if (v instanceof Map<?, ?> map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(first ? "" : ", ");
        first = false;
        string(b, String.valueOf(e.getKey()));
        b.append(": ");
        value(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof ByteBuffer buf) {
      StringBuilder hex = new StringBuilder();
      ByteBuffer d = buf.duplicate();
      while (d.hasRemaining()) {
        hex.append(String.format("%02x", d.get() & 0xff));
      }
      b.append("{\"bytes\": ");
      string(b, hex.toString());
      b.append('}');
    } else {
      b.append(v);
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
