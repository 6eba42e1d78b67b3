package dev.culprit.collector.source.qdisc;

import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code tc -s qdisc show} text, for an iproute2 without {@code -j} (before 4.19) and for
 * the seed's capture.
 *
 * <pre>
 * qdisc netem 800d: root refcnt 2 limit 1000 loss 30%
 *  Sent 432 bytes 8 pkt (dropped 4, overlimits 0 requeues 0)
 *  backlog 0b 0p requeues 0
 * qdisc pfifo 110: dev cufx-a0 parent 1:10 limit 50p
 *  Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)
 *  backlog 0b 0p requeues 0
 * </pre>
 *
 * <p>{@code dev NAME} is missing when tc was asked for one device ({@code show dev eth0}, as in the
 * seed): the caller passes that device. Options are {@code key value...} pairs: a word starting
 * with a letter opens a key, the following non-words are its value ({@code priomap 1 2 2 ...}).
 * Unknown statistics lines (fq_codel's, older kernels' {@code rate 0bit 0pps}) are ignored.
 */
public final class TcQdiscTextParser {

  private static final Pattern SENT =
      Pattern.compile(
          "Sent (\\d+) bytes (\\d+) pkts? \\(dropped (\\d+), overlimits (\\d+) requeues (\\d+)\\)");
  private static final Pattern BACKLOG = Pattern.compile("backlog (\\S+) (\\d+)p requeues (\\d+)");

  private TcQdiscTextParser() {}

  /**
   * Parses the command's stdout.
   *
   * @param defaultDevice the device for lines without {@code dev NAME}; null if every line has one
   */
  public static List<QdiscStats> parse(String source, String text, String defaultDevice)
      throws ParseException {
    List<QdiscStats> out = new ArrayList<>();
    QdiscStats.Builder current = null;
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("qdisc ")) {
        if (current != null) {
          out.add(current.build());
        }
        current = header(source, i + 1, line.trim(), defaultDevice);
      } else if (current != null && !line.isBlank()) {
        stats(line, current);
      } else if (!line.isBlank()) {
        throw new ParseException(source, i + 1, "statistics before any 'qdisc' line");
      }
    }
    if (current != null) {
      out.add(current.build());
    }
    return out;
  }

  private static QdiscStats.Builder header(String source, int line, String text, String dev)
      throws ParseException {
    String[] t = text.split("\\s+");
    if (t.length < 4) {
      throw new ParseException(source, line, "short qdisc line: " + text);
    }
    String kind = t[1];
    String handle = t[2];
    String device = dev;
    String parent = null;
    boolean root = false;
    int i = 3;
    while (i < t.length) {
      switch (t[i]) {
        case "dev" -> {
          device = value(source, line, t, i);
          i += 2;
        }
        case "root" -> {
          root = true;
          i++;
        }
        case "ingress" -> i++;
        case "parent" -> {
          parent = value(source, line, t, i);
          i += 2;
        }
        case "refcnt" -> i += 2;
        default -> {
          // The rest are the kind's options.
          Map<String, String> options = options(t, i);
          QdiscStats.Builder b = builder(kind, handle, device, parent, root, source, line);
          b.setOptions(options);
          QdiscOptions.apply(kind, options, b);
          return b;
        }
      }
    }
    QdiscStats.Builder b = builder(kind, handle, device, parent, root, source, line);
    b.setOptions(new TreeMap<>());
    return b;
  }

  private static QdiscStats.Builder builder(
      String kind,
      String handle,
      String device,
      String parent,
      boolean root,
      String source,
      int line)
      throws ParseException {
    if (device == null) {
      throw new ParseException(source, line, "qdisc line without 'dev' and no device given");
    }
    return QdiscStats.newBuilder()
        .setKind(kind)
        .setHandle(handle)
        .setDevice(device)
        .setParent(parent)
        .setRoot(root);
  }

  private static Map<String, String> options(String[] t, int from) {
    Map<String, String> options = new TreeMap<>();
    String key = null;
    StringBuilder value = new StringBuilder();
    for (int i = from; i < t.length; i++) {
      if (Character.isLetter(t[i].charAt(0))) {
        if (key != null) {
          options.put(key, value.toString());
        }
        key = t[i];
        value.setLength(0);
      } else if (key != null) {
        if (value.length() > 0) {
          value.append(' ');
        }
        value.append(t[i]);
      }
    }
    if (key != null) {
      options.put(key, value.toString());
    }
    return options;
  }

  private static void stats(String line, QdiscStats.Builder b) {
    Matcher sent = SENT.matcher(line);
    if (sent.find()) {
      b.setBytes(Long.parseUnsignedLong(sent.group(1)))
          .setPackets(Long.parseUnsignedLong(sent.group(2)))
          .setDrops(Long.parseUnsignedLong(sent.group(3)))
          .setOverlimits(Long.parseUnsignedLong(sent.group(4)))
          .setRequeues(Long.parseUnsignedLong(sent.group(5)));
    }
    Matcher backlog = BACKLOG.matcher(line);
    if (backlog.find()) {
      long packets = Long.parseUnsignedLong(backlog.group(2));
      b.setBacklogBytes(TcUnits.sizeBytes(backlog.group(1)))
          .setBacklogPackets(packets)
          .setQlen(packets);
    }
  }

  private static String value(String source, int line, String[] t, int i) throws ParseException {
    if (i + 1 >= t.length) {
      throw new ParseException(source, line, "'" + t[i] + "' without a value");
    }
    return t[i + 1];
  }
}
