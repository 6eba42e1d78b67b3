package dev.culprit.collector.source.dropreason;

import dev.culprit.collector.spi.ParseException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
   * The records of the {@code trace} listing, counted by CPU and, within each, by reason name
   * (sorted). Read a line at a time: the listing holds up to the ring's size per CPU, megabytes on
   * a host with hundreds of CPUs, and is never held whole.
   *
   * <p>The reader must decode every byte (ISO-8859-1): each record starts with the task's name as
   * raw bytes, which any user can set to bytes that are not UTF-8.
   */
  static Map<Integer, Map<String, Long>> reasonsByCpu(BufferedReader trace) throws IOException {
    Map<Integer, Map<String, Long>> byCpu = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    String line;
    while ((line = trace.readLine()) != null) {
      // Comment lines (the listing's header) start with '#'; other events and "[LOST n EVENTS]"
      // lines have no kfree_skb marker; a record cut short has no reason. Plain searches, not a
      // regex per line: this runs every cycle over up to the ring's size per CPU.
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      // Searched from the end: the line starts with the task's name, which the task sets (up to
      // 15 bytes, any bytes, " kfree_skb: " or "[7] " included); after the marker come only
      // the kernel's fields.
      int event = line.lastIndexOf(EVENT_MARK);
      int cpu = event < 0 ? -1 : cpu(line, event);
      int reasonAt = cpu < 0 ? -1 : line.indexOf(REASON_MARK, event);
      if (reasonAt < 0) {
        continue;
      }
      int from = reasonAt + REASON_MARK.length();
      int to = from;
      while (to < line.length() && !Character.isWhitespace(line.charAt(to))) {
        to++;
      }
      if (to == from) {
        continue;
      }
      String reason = line.substring(from, to);
      if (!seen.contains(reason)) {
        if (seen.size() >= MAX_REASONS - 1) {
          reason = OTHER;
        }
        seen.add(reason);
      }
      byCpu.computeIfAbsent(cpu, c -> new TreeMap<>()).merge(reason, 1L, Long::sum);
    }
    return byCpu;
  }

  /**
   * The CPU field ({@code [NNN]}) of the record whose event name starts at {@code event}: the last
   * one before it (only the flags and the timestamp lie between), or -1 when there is none.
   */
  private static int cpu(String line, int event) {
    int close = line.lastIndexOf("] ", event);
    int open = close < 0 ? -1 : line.lastIndexOf('[', close);
    if (open < 0 || close - open < 2 || close - open > 7) {
      return -1;
    }
    int cpu = 0;
    for (int i = open + 1; i < close; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      cpu = cpu * 10 + (c - '0');
    }
    return cpu;
  }

  /** {@link #reasonsByCpu} of a listing in memory (tests, fixtures), summed over the CPUs. */
  static Map<String, Long> reasons(String trace) {
    try {
      return sum(reasonsByCpu(new BufferedReader(new StringReader(trace))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Per-CPU reason counts, summed over the CPUs, sorted by reason. */
  static Map<String, Long> sum(Map<Integer, Map<String, Long>> byCpu) {
    Map<String, Long> total = new TreeMap<>();
    byCpu.values().forEach(counts -> counts.forEach((r, n) -> total.merge(r, n, Long::sum)));
    return total;
  }
}
