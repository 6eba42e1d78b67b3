package dev.culprit.collector.source.oom;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code dmesg} output (the format users paste into tickets) into records, so an OOM report
 * copied from a terminal can be analysed like a live one.
 *
 * <pre>
 * [193038.106468] Task in /docker/0f2b... killed as a result of limit of /docker/0f2b...
 * [193038.106478] memory: usage 524288kB, limit 524288kB, failcnt 77
 * </pre>
 *
 * <p>Lines may also arrive run together (the seed's copy lost its newlines): every {@code
 * [sec.usec]} stamp starts a new record wherever it stands. Text before the first stamp is ignored.
 * The records get consecutive sequence numbers from 0, since dmesg does not print them.
 */
public final class DmesgParser {

  private static final Pattern STAMP = Pattern.compile("\\[\\s*(\\d+)\\.(\\d{1,6})\\]\\s?");

  private DmesgParser() {}

  /** Splits {@code text} at every timestamp. A trailing cut-off stamp ("[193038.1") is dropped. */
  public static List<KmsgRecord> parse(String text) {
    List<KmsgRecord> records = new ArrayList<>();
    Matcher m = STAMP.matcher(text);
    long seq = 0;
    int start = -1;
    long usec = 0;
    while (m.find()) {
      if (start >= 0) {
        records.add(KmsgRecord.of(seq++, usec, text.substring(start, m.start()).strip()));
      }
      usec = Long.parseLong(m.group(1)) * 1_000_000L + fractionToMicros(m.group(2));
      start = m.end();
    }
    if (start >= 0) {
      String last = text.substring(start);
      // A copy cut inside the next stamp leaves "[193038.1": not part of this message.
      int cut = last.lastIndexOf('[');
      if (cut >= 0 && last.substring(cut).matches("\\[\\s*\\d*\\.?\\d*\\s*")) {
        last = last.substring(0, cut);
      }
      records.add(KmsgRecord.of(seq, usec, last.strip()));
    }
    return records;
  }

  private static long fractionToMicros(String digits) {
    long value = Long.parseLong(digits);
    for (int i = digits.length(); i < 6; i++) {
      value *= 10;
    }
    return value;
  }
}
