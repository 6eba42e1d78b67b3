package dev.culprit.collector.source.oom;

import java.util.List;
import java.util.Objects;

/**
 * One kernel log record as {@code /dev/kmsg} hands it out: one {@code read(2)} returns exactly one
 * record.
 *
 * <pre>
 * 6,1318,705882076,-;memory: usage 524288kB, limit 524288kB, failcnt 65
 *  SUBSYSTEM=memory            (optional continuation lines, each starting with a space)
 * </pre>
 *
 * @param priority syslog priority and facility ({@code facility << 3 | level})
 * @param seq the record's sequence number, unique and increasing within one boot
 * @param timestampUs microseconds since boot (the kernel's local clock)
 * @param message the message text, without the trailing newline
 * @param dictionary the continuation lines (key=value dictionary), without the leading space
 */
public record KmsgRecord(
    int priority, long seq, long timestampUs, String message, List<String> dictionary) {

  public KmsgRecord {
    Objects.requireNonNull(message, "message");
    dictionary = List.copyOf(dictionary);
  }

  /** A record with no dictionary, as {@code dmesg} output or a test builds it. */
  public static KmsgRecord of(long seq, long timestampUs, String message) {
    return new KmsgRecord(6, seq, timestampUs, message, List.of());
  }

  /** The syslog level, 0 (emergency) to 7 (debug). */
  public int level() {
    return priority & 7;
  }
}
