package dev.culprit.lab.oracle;

import dev.culprit.lab.LabException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /proc/net/netstat} and {@code /proc/net/snmp}: pairs of lines, a header naming the
 * counters and a line of values, both prefixed by the group.
 *
 * <pre>
 * TcpExt: SyncookiesSent SyncookiesRecv … ListenOverflows ListenDrops …
 * TcpExt: 0 0 … 3 3 …
 * </pre>
 *
 * Keys are {@code Group.Name} ({@code TcpExt.ListenOverflows}).
 */
public final class ProcNetSnmp {

  private ProcNetSnmp() {}

  public static Map<String, Long> parse(String text) {
    Map<String, Long> counters = new LinkedHashMap<>();
    String[] lines = text.split("\n");
    for (int i = 0; i + 1 < lines.length; i += 2) {
      String[] names = lines[i].trim().split("\\s+");
      String[] values = lines[i + 1].trim().split("\\s+");
      if (names.length != values.length || !names[0].equals(values[0]) || !names[0].endsWith(":")) {
        throw new LabException(
            "malformed snmp/netstat lines " + (i + 1) + "-" + (i + 2) + ": " + lines[i]);
      }
      String group = names[0].substring(0, names[0].length() - 1);
      for (int c = 1; c < names.length; c++) {
        counters.put(group + "." + names[c], Long.parseLong(values[c]));
      }
    }
    return counters;
  }
}
