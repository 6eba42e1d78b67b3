package dev.culprit.collector.platform.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.source.container.FlatKeyedFileParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The regex-free splitting gives what {@code trim().split("\\s+")} gave, on the lines the kernel
 * writes and on odd ones (tabs, CR, vertical tab, runs of blanks, control characters inside a
 * word), and the key/value parser built on it keeps exactly the lines the regex version kept.
 */
class WordsTest {

  private static final List<String> LINES =
      List.of(
          "entries searched found new invalid ignore",
          "  00000003  00000000 0000001a\t00000000 ",
          "a\tb\u000Bc\fd\re",
          "single",
          "x\u0001y z",
          "\u0001lead  trail\u0002",
          "key   18446744073709551615",
          " key 1 2 ",
          "key\t\t7\r");

  @Test
  void splitsEveryLineAsTheRegexDid() {
    for (String line : LINES) {
      assertThat(Words.split(line)).as(line).containsExactly(line.trim().split("\\s+"));
    }
    assertThat(Words.split(" \t ")).isEmpty();
  }

  @Test
  void keyValueParserKeepsTheLinesTheRegexParserKept() {
    String text = String.join("\n", LINES) + "\n\nrss 12\n total_cache\t+5\nswap -1\nbig 1 \n";
    assertThat(FlatKeyedFileParser.parse("memory.stat", text))
        .containsExactlyEntriesOf(regexParse(text))
        .containsEntry("rss", 12L)
        .containsEntry("big", 1L)
        .doesNotContainKey("swap");
  }

  /** The parser as it was, with String.split("\\s+"): the reference. */
  private static Map<String, Long> regexParse(String text) {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length != 2) {
        continue;
      }
      try {
        values.put(fields[0], Long.parseUnsignedLong(fields[1]));
      } catch (NumberFormatException e) {
        // absent
      }
    }
    return values;
  }
}
