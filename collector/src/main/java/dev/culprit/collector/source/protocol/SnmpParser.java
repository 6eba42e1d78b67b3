package dev.culprit.collector.source.protocol;

import dev.culprit.collector.spi.ParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parses {@code /proc/net/snmp} and {@code /proc/net/netstat} (header line / value line pairs) and
 * {@code /proc/net/snmp6} (name value lines) into {@code Group.Name} counters.
 *
 * <pre>
 * Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails ... RetransSegs
 * Tcp: 1 200 120000 -1 18 2 0 ... 4
 * TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts ...
 * TcpExt: 0 0 0 11 ...
 * </pre>
 *
 * <pre>
 * Ip6InReceives                   	12
 * Icmp6InType133                  	3
 * </pre>
 *
 * <p>Columns are matched by name, never position, so a newer kernel's extra columns and groups
 * appear as new keys and an older kernel's missing ones stay absent (never 0). A value line whose
 * group or column count does not match its header is a {@link ParseException} naming the line: it
 * means a truncated read or a format this parser does not know, and guessing would shift counters
 * onto the wrong names.
 */
public final class SnmpParser {

  /** snmp6 name prefixes, longest first so UdpLite6 is not read as Udp6. */
  private static final List<String> SNMP6_GROUPS = List.of("UdpLite6", "Icmp6", "Udp6", "Ip6");

  /**
   * The same header lines and snmp6 names come back every cycle: their {@code Group.Name} keys are
   * built once (a few hundred strings a cycle otherwise). Bounded in case a kernel ever varies
   * them.
   */
  private static final int MAX_CACHED = 4096;

  private static final Map<String, String[]> HEADER_KEYS = new ConcurrentHashMap<>();
  private static final Map<String, String> SNMP6_KEYS = new ConcurrentHashMap<>();

  private SnmpParser() {}

  /**
   * Adds the counters of a snmp or netstat file to {@code into}.
   *
   * @param source the path, for error messages
   */
  public static void parsePairs(String source, String text, Map<String, Long> into)
      throws ParseException {
    String[] lines = text.split("\n");
    int i = 0;
    while (i < lines.length) {
      String header = lines[i];
      if (header.isBlank()) {
        i++;
        continue;
      }
      int headerColon = header.indexOf(':');
      if (headerColon <= 0) {
        throw new ParseException(source, i + 1, "expected 'Group: Name ...', got: " + header);
      }
      String group = header.substring(0, headerColon);
      if (i + 1 >= lines.length || lines[i + 1].isBlank()) {
        throw new ParseException(source, i + 1, group + " header without a value line");
      }
      String values = lines[i + 1];
      if (!values.startsWith(group + ":")) {
        throw new ParseException(
            source, i + 2, "value line of " + group + " expected, got: " + abbreviate(values));
      }
      String[] keys = headerKeys(header, group, headerColon);
      int count = wordCount(values, headerColon + 1);
      if (keys.length != count) {
        throw new ParseException(
            source, i + 2, group + " has " + keys.length + " names but " + count + " values");
      }
      // The values are parsed where they stand: no String per counter (220 a namespace a cycle).
      int n = values.length();
      int at = headerColon + 1;
      for (int c = 0; c < keys.length; c++) {
        while (Character.isWhitespace(values.charAt(at))) {
          at++;
        }
        int start = at;
        while (at < n && !Character.isWhitespace(values.charAt(at))) {
          at++;
        }
        into.put(keys[c], number(source, i + 2, values, start, at));
      }
      i += 2;
    }
  }

  /** Adds the counters of a snmp6 file ({@code Ip6InReceives 12}) as {@code Ip6.InReceives}. */
  public static void parseSnmp6(String source, String text, Map<String, Long> into)
      throws ParseException {
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      if (wordCount(line, 0) != 2) {
        throw new ParseException(source, i + 1, "expected 'Name value', got: " + line);
      }
      int start = 0;
      while (Character.isWhitespace(line.charAt(start))) {
        start++;
      }
      int nameEnd = start;
      while (!Character.isWhitespace(line.charAt(nameEnd))) {
        nameEnd++;
      }
      int valueStart = nameEnd;
      while (Character.isWhitespace(line.charAt(valueStart))) {
        valueStart++;
      }
      int valueEnd = valueStart;
      while (valueEnd < line.length() && !Character.isWhitespace(line.charAt(valueEnd))) {
        valueEnd++;
      }
      into.put(
          key6(line.substring(start, nameEnd)), number(source, i + 1, line, valueStart, valueEnd));
    }
  }

  private static String[] headerKeys(String header, String group, int colon) {
    String[] keys = HEADER_KEYS.get(header);
    if (keys == null) {
      keys = words(header, colon + 1);
      for (int c = 0; c < keys.length; c++) {
        keys[c] = group + "." + keys[c];
      }
      if (HEADER_KEYS.size() >= MAX_CACHED) {
        HEADER_KEYS.clear();
      }
      HEADER_KEYS.put(header, keys);
    }
    return keys;
  }

  private static String key6(String name) {
    String key = SNMP6_KEYS.get(name);
    if (key == null) {
      key = newKey6(name);
      if (SNMP6_KEYS.size() >= MAX_CACHED) {
        SNMP6_KEYS.clear();
      }
      SNMP6_KEYS.put(name, key);
    }
    return key;
  }

  /** How many whitespace-separated words {@code line} holds from {@code from}. */
  static int wordCount(String line, int from) {
    int count = 0;
    int n = line.length();
    for (int i = from; i < n; ) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i < n) {
        count++;
      }
      while (i < n && !Character.isWhitespace(line.charAt(i))) {
        i++;
      }
    }
    return count;
  }

  /** The whitespace-separated words of {@code line} from {@code from}, without a regex. */
  static String[] words(String line, int from) {
    int n = line.length();
    String[] out = new String[wordCount(line, from)];
    int w = 0;
    for (int i = from; i < n; ) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        out[w++] = line.substring(start, i);
      }
    }
    return out;
  }

  private static String newKey6(String name) {
    for (String group : SNMP6_GROUPS) {
      if (name.startsWith(group) && name.length() > group.length()) {
        return group + "." + name.substring(group.length());
      }
    }
    return "Snmp6." + name;
  }

  /** The number in {@code text} between {@code start} and {@code end}. */
  private static long number(String source, int line, String text, int start, int end)
      throws ParseException {
    try {
      // Most are unsigned 64-bit counters; a few gauges are signed (Tcp.MaxConn is -1).
      return text.charAt(start) == '-'
          ? Long.parseLong(text, start, end, 10)
          : Long.parseUnsignedLong(text, start, end, 10);
    } catch (NumberFormatException e) {
      throw new ParseException(
          source, line, "not a number: '" + text.substring(start, end) + "'", e);
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 60 ? line.substring(0, 60) + "..." : line;
  }
}
