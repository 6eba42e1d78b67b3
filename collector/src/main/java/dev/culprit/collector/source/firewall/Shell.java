package dev.culprit.collector.source.firewall;

import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an iptables-save rule into words the way iptables-restore reads it back: whitespace
 * separates, double quotes group, and a backslash escapes the next character inside quotes ({@code
 * --comment "a \"quoted\" word"}).
 */
final class Shell {

  private Shell() {}

  static List<String> split(String source, int line, String text) throws ParseException {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < text.length()) {
          word.append(text.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else {
          word.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quoted) {
      throw new ParseException(source, line, "unterminated quote");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
