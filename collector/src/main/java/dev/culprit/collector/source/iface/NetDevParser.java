package dev.culprit.collector.source.iface;

import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/dev} (or {@code /proc/PID/net/dev}, which shows PID's namespace).
 *
 * <pre>
 * Inter-|   Receive                                                |  Transmit
 *  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
 *     lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
 * </pre>
 *
 * <p>Every kernel since 2.6 prints these 16 columns in this order (netstat -i reads RX-OK =
 * packets, RX-ERR = errs, RX-DRP = drop, RX-OVR = fifo from them). The header is checked so that a
 * kernel that ever reorders them fails loudly instead of shifting every counter by one; columns
 * past the 16th (a newer kernel) are ignored.
 */
public final class NetDevParser {

  static final List<String> RECEIVE =
      List.of("bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast");
  static final List<String> TRANSMIT =
      List.of("bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed");
  private static final int COUNTERS = 16;

  private NetDevParser() {}

  /**
   * One device's line.
   *
   * @param counters the 16 counters in kernel order: rx bytes, packets, errs, drop, fifo, frame,
   *     compressed, multicast, then tx bytes, packets, errs, drop, fifo, colls, carrier, compressed
   */
  public record Device(String name, long[] counters) {
    public long rxBytes() {
      return counters[0];
    }

    public long rxPackets() {
      return counters[1];
    }

    public long rxErrors() {
      return counters[2];
    }

    public long rxDropped() {
      return counters[3];
    }

    public long rxFifo() {
      return counters[4];
    }

    public long rxFrame() {
      return counters[5];
    }

    public long rxCompressed() {
      return counters[6];
    }

    public long rxMulticast() {
      return counters[7];
    }

    public long txBytes() {
      return counters[8];
    }

    public long txPackets() {
      return counters[9];
    }

    public long txErrors() {
      return counters[10];
    }

    public long txDropped() {
      return counters[11];
    }

    public long txFifo() {
      return counters[12];
    }

    public long txCollisions() {
      return counters[13];
    }

    public long txCarrier() {
      return counters[14];
    }

    public long txCompressed() {
      return counters[15];
    }
  }

  /**
   * Parses the whole file.
   *
   * @param source the path, for error messages
   * @throws ParseException on an unknown header, a short line or a non-number
   */
  public static List<Device> parse(String source, String text) throws ParseException {
    String[] lines = text.split("\n");
    if (lines.length < 2 || text.isBlank()) {
      throw new ParseException(source, 0, "empty or truncated: no header");
    }
    checkHeader(source, lines[1]);
    List<Device> devices = new ArrayList<>(lines.length - 2);
    for (int i = 2; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw new ParseException(source, i + 1, "no 'device:' prefix");
      }
      String name = line.substring(0, colon).strip();
      String[] fields = line.substring(colon + 1).trim().split("\\s+");
      if (fields.length < COUNTERS) {
        throw new ParseException(
            source, i + 1, name + " has " + fields.length + " counters, expected " + COUNTERS);
      }
      long[] counters = new long[COUNTERS];
      for (int c = 0; c < COUNTERS; c++) {
        counters[c] = parseCounter(source, i + 1, fields[c]);
      }
      devices.add(new Device(name, counters));
    }
    return devices;
  }

  private static void checkHeader(String source, String header) throws ParseException {
    String[] groups = header.split("\\|");
    if (groups.length < 3 || !startsWith(groups[1], RECEIVE) || !startsWith(groups[2], TRANSMIT)) {
      throw new ParseException(source, 2, "unknown column header: " + header.strip());
    }
  }

  private static boolean startsWith(String group, List<String> expected) {
    String[] names = group.trim().split("\\s+");
    if (names.length < expected.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      if (!names[i].equals(expected.get(i))) {
        return false;
      }
    }
    return true;
  }

  static long parseCounter(String source, int line, String field) throws ParseException {
    try {
      // Counters are unsigned 64-bit: parseUnsignedLong keeps a wrapped value instead of failing.
      return Long.parseUnsignedLong(field);
    } catch (NumberFormatException e) {
      throw new ParseException(source, line, "not a counter: '" + field + "'", e);
    }
  }
}
