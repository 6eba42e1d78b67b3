package dev.culprit.collector.platform.procfs;

import dev.culprit.collector.spi.ParseException;

/**
 * {@code /proc/PID/stat}: the process state and start time, which together with the pid identify a
 * process across pid reuse.
 *
 * <pre>
 * 9641 (busybox) S 1 9641 9641 0 -1 4194560 95 0 0 0 0 0 0 0 20 0 1 0 70123 2330624 …
 * </pre>
 *
 * The command name (field 2) is whatever the process chose, up to 15 bytes, and may itself hold
 * spaces, parentheses and newlines ({@code "a) R 1 (b"}): per proc(5) it ends at the <em>last</em>
 * {@code ')'} of the text, and fields are counted from there. State is field 3, starttime (clock
 * ticks since boot, unsigned) field 22.
 */
public final class PidStatParser {

  /** One parsed stat line: the state letter and the start time in clock ticks since boot. */
  public record PidStat(char state, long startTicks) {

    /** A zombie ({@code Z}) or dead ({@code X}) process: its pid is about to be free. */
    public boolean gone() {
      return state == 'Z' || state == 'X';
    }
  }

  private PidStatParser() {}

  /**
   * @param source the file's name, for error messages
   * @throws ParseException when there is no comm, fewer than 22 fields, or a non-numeric start
   */
  public static PidStat parse(String source, String text) throws ParseException {
    int close = text.lastIndexOf(')');
    if (close < 0) {
      throw new ParseException(source, 1, "no command name in parentheses");
    }
    String[] fields = text.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); starttime, field 22, is fields[19].
    if (fields.length < 20 || fields[0].length() != 1) {
      throw new ParseException(
          source, 1, "expected at least 20 fields after the command name, got " + fields.length);
    }
    try {
      return new PidStat(fields[0].charAt(0), Long.parseUnsignedLong(fields[19]));
    } catch (NumberFormatException e) {
      throw new ParseException(source, 1, "start time is not a number: '" + fields[19] + "'", e);
    }
  }
}
