package dev.culprit.collector.source.dropreason;

import dev.culprit.collector.spi.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The three texts the {@code skb:kfree_skb} tracing instance gives, parsed (text in, values out):
 * the tracepoint's {@code format} (its reason names by number, which differ between kernels), a
 * CPU's ring {@code stats} (how many records it took, kept and overwritten) and the {@code trace}
 * listing of the records the ring kept (their reasons).
 */
final class KfreeSkbTraceParser {

  /** {@code { 12, "NETFILTER_DROP" }} in the print format's {@code __print_symbolic} list. */
  private static final Pattern SYMBOL = Pattern.compile("\\{ *(\\d+), *\"([A-Z0-9_]+)\" *\\}");

  /**
   * A {@code kfree_skb} record as the default print format shows it (5.17+): {@code ... kfree_skb:
   * skbaddr=... location=nf_hook_slow+0x95/0x100 reason: NETFILTER_DROP}. A reason the kernel has
   * no name for is printed as a hex number.
   */
  private static final String EVENT_MARK = " kfree_skb: ";

  private static final String REASON_MARK = " reason: ";

  /** Reasons kept apart at most; more (a kernel printing numbers) go to {@link #OTHER}. */
  static final int MAX_REASONS = 256;

  /** Where reasons beyond {@link #MAX_REASONS} are counted. */
  static final String OTHER = "OTHER";

  private KfreeSkbTraceParser() {}

  /** Whether the tracepoint carries a reason (kernels before 5.17 have none). */
  static boolean hasReason(String format) {
    return format.contains(" reason;");
  }

  /** The reason names this kernel knows, by number, from the tracepoint's print format. */
  static Map<Integer, String> reasonNames(String format) {
    Map<Integer, String> names = new LinkedHashMap<>();
    Matcher symbol = SYMBOL.matcher(format);
    while (symbol.find()) {
      names.put(Integer.parseInt(symbol.group(1)), symbol.group(2));
    }
    return names;
  }

  /**
   * The records one CPU's ring took since its last reset: those it still holds ({@code entries})
   * plus those it overwrote to make room ({@code overrun}). Nothing else reads this ring, so none
   * were consumed.
   *
   * @throws ParseException when either line is missing or not a number
   */
  static long recorded(String file, String stats) throws ParseException {
    return field(file, stats, "entries") + field(file, stats, "overrun");
  }

  private static long field(String file, String stats, String name) throws ParseException {
    String[] lines = stats.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith(name + ":")) {
        String value = line.substring(name.length() + 1).strip();
        try {
          return Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new ParseException(file, i + 1, name + " is not a number: " + value, e);
        }
      }
    }
    throw new ParseException(file, 0, "no '" + name + ":' line");
  }

  /**
   * The records of the {@code trace} listing, counted by reason name, sorted by name. Scanned with
   * plain searches, not a regex per line: it runs every cycle over up to the ring's size of text.
   */
  static Map<String, Long> reasons(String trace) {
    Map<String, Long> counts = new TreeMap<>();
    int start = 0;
    int length = trace.length();
    while (start < length) {
      int end = trace.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      // Comment lines (the listing's header) start with '#'; other events and "[LOST n EVENTS]"
      // lines have no kfree_skb marker; a record cut short has no reason.
      int event = trace.charAt(start) == '#' ? -1 : trace.indexOf(EVENT_MARK, start);
      int reasonAt = event < 0 || event >= end ? -1 : trace.indexOf(REASON_MARK, event);
      if (reasonAt >= 0 && reasonAt < end) {
        int from = reasonAt + REASON_MARK.length();
        int to = from;
        while (to < end && !Character.isWhitespace(trace.charAt(to))) {
          to++;
        }
        if (to > from) {
          String reason = trace.substring(from, to);
          if (!counts.containsKey(reason) && counts.size() >= MAX_REASONS - 1) {
            reason = OTHER;
          }
          counts.merge(reason, 1L, Long::sum);
        }
      }
      start = end + 1;
    }
    return counts;
  }
}
