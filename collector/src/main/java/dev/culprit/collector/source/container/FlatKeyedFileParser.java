package dev.culprit.collector.source.container;

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
    for (String raw : text.split("\n")) {
      String line = raw.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length != 2) {
        continue; // not "key value": dropped, its neighbours kept
      }
      try {
        values.put(fields[0], Long.parseUnsignedLong(fields[1]));
      } catch (NumberFormatException e) {
        // a value that is not an unsigned 64-bit number: that key is absent
      }
    }
    return values;
  }
}
