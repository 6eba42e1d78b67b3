package dev.culprit.collector.source.oom;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the text of one {@code /dev/kmsg} record (Documentation/ABI/testing/dev-kmsg).
 *
 * <pre>
 * priority,sequence,timestamp_us,flag[,more fields...];message text
 *  KEY=value continuation line
 * </pre>
 *
 * <p>Accepted variants: the four-field prefix of kernels since 3.5, and newer kernels' extra
 * comma-separated fields before the {@code ;} (for example a caller id), which are ignored. The
 * kernel escapes non-printable bytes in the message as {@code \xNN}; they are kept as is.
 */
public final class KmsgRecordParser {

  private KmsgRecordParser() {}

  /**
   * Parses one record.
   *
   * @param text the bytes of one read, decoded; may end in a newline and carry continuation lines
   * @throws KmsgFormatException when the prefix is not {@code int,long,long,flag...;}
   */
  public static KmsgRecord parse(String text) throws KmsgFormatException {
    int semicolon = text.indexOf(';');
    if (semicolon < 0) {
      throw new KmsgFormatException("no ';' after the record prefix", text);
    }
    String[] prefix = text.substring(0, semicolon).split(",", -1);
    if (prefix.length < 4) {
      throw new KmsgFormatException(
          "expected priority,seq,usec,flags before ';', got " + prefix.length + " fields", text);
    }
    int priority;
    long seq;
    long usec;
    try {
      priority = Integer.parseInt(prefix[0]);
      seq = Long.parseLong(prefix[1]);
      usec = Long.parseLong(prefix[2]);
    } catch (NumberFormatException e) {
      throw new KmsgFormatException("non-numeric priority, seq or timestamp", text);
    }
    String rest = text.substring(semicolon + 1);
    String[] lines = rest.split("\n", -1);
    List<String> dictionary = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      // Continuation lines start with one space; anything else (the final empty string) is noise.
      if (lines[i].startsWith(" ")) {
        dictionary.add(lines[i].substring(1));
      }
    }
    return new KmsgRecord(priority, seq, usec, lines[0], dictionary);
  }

  /** A record whose prefix could not be parsed; the message quotes the start of the record. */
  public static final class KmsgFormatException extends Exception {
    public KmsgFormatException(String reason, String text) {
      super(reason + ": " + abbreviate(text));
    }

    private static String abbreviate(String text) {
      String oneLine = text.replace('\n', ' ');
      return oneLine.length() > 120 ? oneLine.substring(0, 120) + "..." : oneLine;
    }
  }
}
