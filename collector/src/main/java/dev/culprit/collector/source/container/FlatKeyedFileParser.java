package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.procfs.Words;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the cgroup files made of "key value" lines: {@code memory.stat}, {@code
 * memory.oom_control} and {@code cpu.stat} (v1), {@code memory.stat}, {@code memory.events} and
 * {@code cpu.stat} (v2).
 *
 * <pre>
 * nr_periods 2000
 * nr_throttled 200
 * throttled_time 18446744073709551615
 * </pre>
 *
 * <p>Keys the kernel adds later (v1 {@code cpu.stat} gained {@code nr_bursts}, v2 {@code
 * memory.events} {@code oom_group_kill}) simply appear in the map; absent keys are absent, never
 * zero. Empty lines are skipped.
 *
 * <p>Values are unsigned 64-bit, as the kernel prints them ({@code %llu}); values of 2^63 and more
 * are carried as the same 64 bits in a signed long (negative; {@code Long.toUnsignedString} gives
 * the kernel's text back). A line that is not "key unsigned-number" is dropped, so its key is
 * absent: one bad value must not cost every other counter of the cgroup.
 */
public final class FlatKeyedFileParser {

  private FlatKeyedFileParser() {}

  /**
   * @param file the file's name, for error messages
   * @param text its content
   * @return the keys whose line parsed, in file order
   */
  public static Map<String, Long> parse(String file, String text) {
    Map<String, Long> values = new LinkedHashMap<>();
    // By hand, not split("\\s+"): a regex compiled for every line of every cgroup's memory.stat
    // was most of what the container source allocated at 100 containers.
    int n = text.length();
    int lineStart = 0;
    while (lineStart < n) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = n;
      }
      putLine(text, lineStart, lineEnd, values);
      lineStart = lineEnd + 1;
    }
    return values;
  }

  /** One "key value" line between {@code from} and {@code to}; anything else is dropped. */
  private static void putLine(String text, int from, int to, Map<String, Long> values) {
    // trim(): everything up to ' ' is blank, as String.trim has it
    while (from < to && text.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && text.charAt(to - 1) <= ' ') {
      to--;
    }
    int keyEnd = from;
    while (keyEnd < to && !Words.isSpace(text.charAt(keyEnd))) {
      keyEnd++;
    }
    int valueStart = keyEnd;
    while (valueStart < to && Words.isSpace(text.charAt(valueStart))) {
      valueStart++;
    }
    if (keyEnd == from || valueStart == to) {
      return; // blank, or one word: not "key value"
    }
    for (int i = valueStart; i < to; i++) {
      if (Words.isSpace(text.charAt(i))) {
        return; // three words or more: dropped, its neighbours kept
      }
    }
    try {
      values.put(text.substring(from, keyEnd), Long.parseUnsignedLong(text, valueStart, to, 10));
    } catch (NumberFormatException e) {
      // a value that is not an unsigned 64-bit number: that key is absent
    }
  }
}
