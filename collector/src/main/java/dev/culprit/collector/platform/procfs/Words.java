package dev.culprit.collector.platform.procfs;

/**
 * The whitespace-separated words of one line of kernel text, as {@code line.trim().split("\\s+")}
 * gives them, without a regex: {@code split} with a pattern of more than one character compiles a
 * {@link java.util.regex.Pattern} (and a matcher) at every call, and the agent splits every line of
 * every cgroup's {@code memory.stat} and every namespace's conntrack table each cycle — at 100
 * containers and namespaces that was most of what a cycle allocated.
 */
public final class Words {

  private Words() {}

  /**
   * The words of {@code line} once trimmed, split at runs of the regex class {@code \s} (space,
   * tab, newline, vertical tab, form feed, carriage return); an empty array for a blank line.
   */
  public static String[] split(String line) {
    String s = line.trim();
    int n = s.length();
    int count = 0;
    for (int i = 0; i < n; ) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      if (i < n) {
        count++;
      }
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
    }
    String[] out = new String[count];
    int w = 0;
    for (int i = 0; i < n; ) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out[w++] = s.substring(start, i);
      }
    }
    return out;
  }

  /** The characters of the regex class {@code \s}. */
  public static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }
}
