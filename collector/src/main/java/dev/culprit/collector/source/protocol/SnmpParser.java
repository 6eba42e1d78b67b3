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
      String[] numbers = words(values, headerColon + 1);
      if (keys.length != numbers.length) {
        throw new ParseException(
            source,
            i + 2,
            group + " has " + keys.length + " names but " + numbers.length + " values");
      }
      for (int c = 0; c < keys.length; c++) {
        into.put(keys[c], number(source, i + 2, numbers[c]));
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
      String[] fields = words(line, 0);
      if (fields.length != 2) {
        throw new ParseException(source, i + 1, "expected 'Name value', got: " + line);
      }
      into.put(key6(fields[0]), number(source, i + 1, fields[1]));
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

  /** The whitespace-separated words of {@code line} from {@code from}, without a regex. */
  static String[] words(String line, int from) {
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
    String[] out = new String[count];
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

  private static long number(String source, int line, String field) throws ParseException {
    try {
      // Most are unsigned 64-bit counters; a few gauges are signed (Tcp.MaxConn is -1).
      return field.startsWith("-") ? Long.parseLong(field) : Long.parseUnsignedLong(field);
    } catch (NumberFormatException e) {
      throw new ParseException(source, line, "not a number: '" + field + "'", e);
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 60 ? line.substring(0, 60) + "..." : line;
  }
}
