package dev.culprit.processor.view;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live page knows of one host, small and bounded whatever the host sends: at most {@link
 * #MAX_NAMESPACES} namespaces, {@link #MAX_CONTAINERS} containers, {@link #MAX_CAUSE_WINDOWS}
 * recent cause windows, {@link #MINUTES} one-minute buckets of the {@link ViewCounter}s, and every
 * kernel-visible name cut to {@link #MAX_NAME} characters. Stored as compact bytes ({@link
 * #toBytes}): most buckets are zeros, written as one byte each.
 *
 * <p>Mutable: {@link ViewProcessor} reads it from the store, updates it and writes it back.
 */
public final class HostView {

  public static final int MINUTES = 60;
  public static final long MINUTE_MS = 60_000;
  public static final int MAX_NAMESPACES = 32;
  public static final int MAX_CONTAINERS = 32;
  public static final int MAX_CAUSE_WINDOWS = 48;
  public static final int MAX_FAILING_SOURCES = 16;
  public static final int MAX_NAME = 160;
  public static final int MAX_TEXT = 480;
  private static final int FORMAT = 1;
  private static final int COUNTERS = ViewCounter.values().length;

  /** One namespace: what it is, and the causes of the latest window the rules judged. */
  public static final class Namespace {
    String kind = "";
    long lastSeenMs;
    long windowStartMs = -1;
    long windowEndMs = -1;
    final List<Brief> causes = new ArrayList<>();

    public String kind() {
      return kind;
    }

    public long lastSeenMs() {
      return lastSeenMs;
    }

    /** Start of the latest judged window, or -1 before the first. */
    public long windowStartMs() {
      return windowStartMs;
    }

    public long windowEndMs() {
      return windowEndMs;
    }

    public List<Brief> causes() {
      return Collections.unmodifiableList(causes);
    }
  }

  /**
   * A cause of one window, as the page shows it.
   *
   * @param container the container id for causes in a container, else ""
   */
  public record Brief(
      String netns,
      String cause,
      String location,
      String container,
      String summary,
      long windowStartMs,
      long windowEndMs) {}

  /** A container the collector listed, with its pod when Kubernetes runs it. */
  public record Container(String id, String name, String pod, String state, long lastSeenMs) {}

  /** The collector's latest health record. */
  public record Health(
      long sampleTimeMs,
      List<String> failingSources,
      long spooledRecords,
      long spooledBytes,
      long spoolDroppedRecords,
      long spoolDroppedSinceBefore) {}

  /** A source's last cumulative totals, to turn the next sample into deltas. */
  static final class Last {
    String collectorId;
    final long[] totals;

    Last(String collectorId, long[] totals) {
      this.collectorId = collectorId;
      this.totals = totals;
    }
  }

  long lastSeenMs;
  final TreeMap<String, Namespace> namespaces = new TreeMap<>();
  final TreeMap<String, Container> containers = new TreeMap<>();
  final long[] minuteStart = new long[MINUTES];
  final long[][] minutes = new long[MINUTES][COUNTERS];
  final TreeMap<String, Last> last = new TreeMap<>();
  final List<Brief> causeWindows = new ArrayList<>();
  Health health;

  public HostView() {
    java.util.Arrays.fill(minuteStart, -1);
  }

  /** Sample time of the newest record of the host. */
  public long lastSeenMs() {
    return lastSeenMs;
  }

  public Map<String, Namespace> namespaces() {
    return Collections.unmodifiableMap(namespaces);
  }

  public Map<String, Container> containers() {
    return Collections.unmodifiableMap(containers);
  }

  /** The recent windows with a cause, oldest first (for shading charts and the fleet page). */
  public List<Brief> causeWindows() {
    return Collections.unmodifiableList(causeWindows);
  }

  /** The collector's latest health, or null before any. */
  public Health health() {
    return health;
  }

  /**
   * The per-minute series of a counter over the hour before {@code toMs}: the start of each minute
   * (ascending) and its value, NaN where no sample fell.
   */
  public Series series(ViewCounter counter, long toMs) {
    long last = Math.floorDiv(toMs, MINUTE_MS) * MINUTE_MS;
    long[] times = new long[MINUTES];
    double[] values = new double[MINUTES];
    for (int i = 0; i < MINUTES; i++) {
      long start = last - (MINUTES - 1 - i) * MINUTE_MS;
      int slot = slot(start);
      times[i] = start;
      values[i] = minuteStart[slot] == start ? minutes[slot][counter.ordinal()] : Double.NaN;
    }
    return new Series(times, values);
  }

  /** A chart's worth of minutes. */
  public record Series(long[] times, double[] values) {}

  static int slot(long minuteStartMs) {
    return (int) Math.floorMod(minuteStartMs / MINUTE_MS, (long) MINUTES);
  }

  /** Adds {@code delta} of {@code counter} to the minute of {@code timeMs}, if within the hour. */
  void add(ViewCounter counter, long timeMs, long delta) {
    if (delta < 0 || timeMs <= lastSeenMs - MINUTES * MINUTE_MS) {
      return;
    }
    long start = Math.floorDiv(timeMs, MINUTE_MS) * MINUTE_MS;
    int slot = slot(start);
    if (minuteStart[slot] != start) {
      if (minuteStart[slot] > start) {
        return; // a newer minute already took the slot
      }
      minuteStart[slot] = start;
      java.util.Arrays.fill(minutes[slot], 0);
    }
    minutes[slot][counter.ordinal()] += delta;
  }

  /** Marks the minute of {@code timeMs} as sampled, so quiet minutes chart as 0, not as gaps. */
  void touch(long timeMs) {
    add(ViewCounter.RX_DROPPED, timeMs, 0);
  }

  /**
   * A kernel-visible name as kept: never null, at most {@link #MAX_NAME} characters; a longer one
   * keeps its start and a hash of the whole, so two long names that differ only at the end stay
   * two.
   */
  public static String name(CharSequence s) {
    if (s == null) {
      return "";
    }
    String t = s.toString();
    if (t.length() <= MAX_NAME) {
      return t;
    }
    return t.substring(0, MAX_NAME - 10) + "…" + String.format("%08x", t.hashCode()) + "…";
  }

  static String cut(CharSequence s, int max) {
    if (s == null) {
      return "";
    }
    String t = s.toString();
    return t.length() <= max ? t : t.substring(0, max - 1) + "…";
  }

  // ---- stored form ----

  /** The stored form. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(lastSeenMs);
      varint(out, namespaces.size());
      for (var e : namespaces.entrySet()) {
        Namespace n = e.getValue();
        out.writeUTF(e.getKey());
        out.writeUTF(n.kind);
        out.writeLong(n.lastSeenMs);
        out.writeLong(n.windowStartMs);
        out.writeLong(n.windowEndMs);
        varint(out, n.causes.size());
        for (Brief b : n.causes) {
          brief(out, b);
        }
      }
      varint(out, containers.size());
      for (Container c : containers.values()) {
        out.writeUTF(c.id());
        out.writeUTF(c.name());
        out.writeUTF(c.pod());
        out.writeUTF(c.state());
        out.writeLong(c.lastSeenMs());
      }
      for (int i = 0; i < MINUTES; i++) {
        if (minuteStart[i] < 0) {
          out.writeByte(0);
          continue;
        }
        out.writeByte(1);
        out.writeLong(minuteStart[i]);
        for (long v : minutes[i]) {
          varint(out, v);
        }
      }
      varint(out, last.size());
      for (var e : last.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue().collectorId);
        varint(out, e.getValue().totals.length);
        for (long v : e.getValue().totals) {
          varint(out, v);
        }
      }
      varint(out, causeWindows.size());
      for (Brief b : causeWindows) {
        brief(out, b);
      }
      out.writeBoolean(health != null);
      if (health != null) {
        out.writeLong(health.sampleTimeMs());
        varint(out, health.failingSources().size());
        for (String s : health.failingSources()) {
          out.writeUTF(s);
        }
        varint(out, health.spooledRecords());
        varint(out, health.spooledBytes());
        varint(out, health.spoolDroppedRecords());
        varint(out, health.spoolDroppedSinceBefore());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads the stored form. */
  public static HostView fromBytes(byte[] bytes) {
    HostView v = new HostView();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown host view format " + format);
      }
      v.lastSeenMs = in.readLong();
      for (int n = (int) varint(in); n > 0; n--) {
        String netns = in.readUTF();
        Namespace ns = new Namespace();
        ns.kind = in.readUTF();
        ns.lastSeenMs = in.readLong();
        ns.windowStartMs = in.readLong();
        ns.windowEndMs = in.readLong();
        for (int c = (int) varint(in); c > 0; c--) {
          ns.causes.add(brief(in));
        }
        v.namespaces.put(netns, ns);
      }
      for (int n = (int) varint(in); n > 0; n--) {
        Container c =
            new Container(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong());
        v.containers.put(c.id(), c);
      }
      for (int i = 0; i < MINUTES; i++) {
        if (in.readByte() == 0) {
          continue;
        }
        v.minuteStart[i] = in.readLong();
        for (int c = 0; c < COUNTERS; c++) {
          v.minutes[i][c] = varint(in);
        }
      }
      for (int n = (int) varint(in); n > 0; n--) {
        String key = in.readUTF();
        String collector = in.readUTF();
        long[] totals = new long[(int) varint(in)];
        for (int i = 0; i < totals.length; i++) {
          totals[i] = varint(in);
        }
        v.last.put(key, new Last(collector, totals));
      }
      for (int n = (int) varint(in); n > 0; n--) {
        v.causeWindows.add(brief(in));
      }
      if (in.readBoolean()) {
        long t = in.readLong();
        List<String> failing = new ArrayList<>();
        for (int n = (int) varint(in); n > 0; n--) {
          failing.add(in.readUTF());
        }
        v.health = new Health(t, failing, varint(in), varint(in), varint(in), varint(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return v;
  }

  private static void brief(DataOutputStream out, Brief b) throws IOException {
    out.writeUTF(b.netns());
    out.writeUTF(b.cause());
    out.writeUTF(b.location());
    out.writeUTF(b.container());
    out.writeUTF(b.summary());
    out.writeLong(b.windowStartMs());
    out.writeLong(b.windowEndMs());
  }

  private static Brief brief(DataInputStream in) throws IOException {
    return new Brief(
        in.readUTF(),
        in.readUTF(),
        in.readUTF(),
        in.readUTF(),
        in.readUTF(),
        in.readLong(),
        in.readLong());
  }

  /** Unsigned LEB128 of a non-negative value (counter deltas, sizes): zeros take one byte. */
  private static void varint(DataOutputStream out, long v) throws IOException {
    long u = Math.max(0, v);
    while ((u & ~0x7FL) != 0) {
      out.writeByte((int) ((u & 0x7F) | 0x80));
      u >>>= 7;
    }
    out.writeByte((int) u);
  }

  private static long varint(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("varint too long");
  }
}
