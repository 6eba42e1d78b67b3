package dev.culprit.collector.source.container;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the cgroup files made of "key value" lines: {@code memory.stat}, {@code
 * memory.oom_control} and {@code cpu.stat} (v1), {@code memory.stat}, {@code memory.events} and
 * {@code cpu.stat} (v2).
 *
 * <pre>
 * oom_kill_disable 0
 * under_oom 0
 * oom_kill 1
 * </pre>
 *
 * <p>Keys the kernel adds later (v1 {@code cpu.stat} gained {@code nr_bursts}, v2 {@code
 * memory.events} {@code oom_group_kill}) simply appear in the map; absent keys are absent, never
 * zero. Empty lines are skipped.
 */
public final class FlatKeyedFileParser {

  private FlatKeyedFileParser() {}

  /**
   * @param file the file's name, for error messages
   * @param text its content
   * @throws CgroupFormatException for a line that is not two fields with a numeric value
   */
  public static Map<String, Long> parse(String file, String text) throws CgroupFormatException {
    Map<String, Long> values = new LinkedHashMap<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length != 2) {
        throw new CgroupFormatException(file, i + 1, "expected 'key value'", line);
      }
      try {
        values.put(fields[0], Long.parseLong(fields[1]));
      } catch (NumberFormatException e) {
        throw new CgroupFormatException(file, i + 1, "value is not an integer", line);
      }
    }
    return values;
  }
}
