package dev.culprit.processor.rules;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting for the commands culprit prints. Names, comments and rule text come from
 * sampled hosts where anyone may create a namespace and name an interface {@code $(reboot)}; a root
 * operator pastes what we print, so every word must reach {@code /bin/sh} as exactly one argument
 * and expand nothing.
 */
public final class Sh {

  /** Words that mean the same quoted or not; left bare so common fixes stay readable. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private Sh() {}

  /**
   * One word as {@code sh} reads it back unchanged: bare when it holds only safe characters, else
   * in single quotes (inside which nothing expands) with each {@code '} written as {@code '\''}.
   */
  public static String quote(String word) {
    if (!word.isEmpty() && SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The words of a command, each quoted, separated by one blank. */
  public static String join(List<String> argv) {
    return argv.stream().map(Sh::quote).collect(Collectors.joining(" "));
  }

  /**
   * Advice text made inert after a {@code #}: a line break would end the comment and let the rest
   * run, so control characters become blanks.
   */
  public static String comment(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? ' ' : c));
    return out.toString();
  }
}
