package dev.culprit.processor.window;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The aggregate of one host over one window, as stored in the window store, its changelog and the
 * suppression buffer: for each namespace and sample source, the merged delta-shaped sample
 * (single-object encoded with its topic's serde, so its own schema evolves with the contract) and
 * what it covers.
 *
 * <p>It is updated once per sample (some fifteen times per host and window), so it is kept in the
 * encoded form it is stored in: reading it parses only the entry headers, adding an entry copies
 * byte ranges, and nothing is decoded until the rules run. Immutable.
 *
 * <p>Format, version 1 (big-endian): {@code 'W' 0x01 count:int32} then {@code count} entries,
 * sorted by netns then source order, each {@code length:int32} followed by {@code netns:str
 * topic:str samples:int32 deltaMs:int64 firstSampleMs:int64 lastSampleMs:int64 record:bytes}
 * ({@code str} and {@code bytes} are {@code int32} length-prefixed, strings UTF-8). Evolution: a
 * newer writer may only append fields at the end of an entry; readers skip what they do not know
 * using the entry length. A change of meaning needs a new version byte, which readers refuse rather
 * than misread. {@code HostWindowStateFormatTest} pins a version-1 value.
 *
 * <p>The probe entry of a namespace (topic {@code culprit.samples.probe}, after the network
 * sources) holds not a sample but the joined probe rounds to it, a {@code ProbeWindow} encoded with
 * its own serde; a build that does not know it skips it like any unknown source.
 */
public final class HostWindowState {

  static final byte MAGIC = 'W';
  static final byte VERSION = 1;
  private static final int HEADER_BYTES = 6;

  private static final HostWindowState EMPTY =
      new HostWindowState(
          ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).put(VERSION).putInt(0).array());

  private final byte[] bytes;
  private List<Entry> entries;

  private HostWindowState(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The aggregate nothing was added to. */
  public static HostWindowState empty() {
    return EMPTY;
  }

  /**
   * Wraps stored bytes (not copied: stored values are never changed in place).
   *
   * @throws IllegalArgumentException when they are not a host-window state this build reads
   */
  public static HostWindowState fromBytes(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC) {
      throw new IllegalArgumentException("not a host-window state");
    }
    if (bytes[1] != VERSION) {
      throw new IllegalArgumentException(
          "host-window state version " + bytes[1] + " is newer than this build's " + VERSION);
    }
    HostWindowState state = new HostWindowState(bytes);
    state.entries(); // Parse now, so a truncated value fails here and not in a rule.
    return state;
  }

  /** The stored form (not copied). */
  public byte[] toBytes() {
    return bytes;
  }

  /** The entries, sorted by netns then source order. */
  public List<Entry> entries() {
    if (entries == null) {
      entries = Collections.unmodifiableList(parse(bytes));
    }
    return entries;
  }

  /**
   * A copy with {@code entry} inserted at {@code index} (replacing the entry there if {@code
   * replace}).
   */
  HostWindowState with(int index, boolean replace, Entry entry) {
    List<Entry> current = entries();
    byte[] encoded = entry.encode();
    int removed = replace ? current.get(index).length() : 0;
    int count = current.size() + (replace ? 0 : 1);
    ByteBuffer out = ByteBuffer.allocate(bytes.length - removed + encoded.length);
    out.put(MAGIC).put(VERSION).putInt(count);
    int cut = index < current.size() ? current.get(index).offset() : bytes.length;
    out.put(bytes, HEADER_BYTES, cut - HEADER_BYTES);
    out.put(encoded);
    int resume = cut + removed;
    out.put(bytes, resume, bytes.length - resume);
    return new HostWindowState(out.array());
  }

  /** One namespace's samples of one source in the window. */
  public static final class Entry {

    private final String netns;
    private final String topic;
    private final int samples;
    private final long deltaMs;
    private final long firstSampleMs;
    private final long lastSampleMs;
    private final byte[] source;
    private final int recordOffset;
    private final int recordLength;
    private final int offset;
    private final int length;

    private Entry(
        String netns,
        String topic,
        int samples,
        long deltaMs,
        long firstSampleMs,
        long lastSampleMs,
        byte[] source,
        int recordOffset,
        int recordLength,
        int offset,
        int length) {
      this.netns = netns;
      this.topic = topic;
      this.samples = samples;
      this.deltaMs = deltaMs;
      this.firstSampleMs = firstSampleMs;
      this.lastSampleMs = lastSampleMs;
      this.source = source;
      this.recordOffset = recordOffset;
      this.recordLength = recordLength;
      this.offset = offset;
      this.length = length;
    }

    /**
     * A new entry, not yet in a state.
     *
     * @param netns network namespace label
     * @param topic sample topic the records came from
     * @param samples samples merged
     * @param deltaMs time covered by the counter deltas, ms (0: gauges only)
     * @param firstSampleMs earliest sample time merged
     * @param lastSampleMs latest sample time merged
     * @param record the merged delta-shaped sample, encoded with the topic's serde
     */
    public static Entry of(
        String netns,
        String topic,
        int samples,
        long deltaMs,
        long firstSampleMs,
        long lastSampleMs,
        byte[] record) {
      return new Entry(
          netns,
          topic,
          samples,
          deltaMs,
          firstSampleMs,
          lastSampleMs,
          record,
          0,
          record.length,
          -1,
          0);
    }

    public String netns() {
      return netns;
    }

    public String topic() {
      return topic;
    }

    public int samples() {
      return samples;
    }

    public long deltaMs() {
      return deltaMs;
    }

    public long firstSampleMs() {
      return firstSampleMs;
    }

    public long lastSampleMs() {
      return lastSampleMs;
    }

    /** The encoded sample (a copy: the state's bytes are shared). */
    public byte[] record() {
      return Arrays.copyOfRange(source, recordOffset, recordOffset + recordLength);
    }

    int offset() {
      return offset;
    }

    int length() {
      return length;
    }

    byte[] encode() {
      byte[] ns = netns.getBytes(StandardCharsets.UTF_8);
      byte[] tp = topic.getBytes(StandardCharsets.UTF_8);
      int body = 4 + ns.length + 4 + tp.length + 4 + 8 + 8 + 8 + 4 + recordLength;
      return ByteBuffer.allocate(4 + body)
          .putInt(body)
          .putInt(ns.length)
          .put(ns)
          .putInt(tp.length)
          .put(tp)
          .putInt(samples)
          .putLong(deltaMs)
          .putLong(firstSampleMs)
          .putLong(lastSampleMs)
          .putInt(recordLength)
          .put(source, recordOffset, recordLength)
          .array();
    }
  }

  private static List<Entry> parse(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(2);
    int count = in.getInt();
    if (count < 0) {
      throw new IllegalArgumentException("host-window state with " + count + " entries");
    }
    List<Entry> out = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        int offset = in.position();
        int body = in.getInt();
        int end = in.position() + body;
        if (body < 0 || end > bytes.length) {
          throw new IllegalArgumentException("truncated host-window state entry " + i);
        }
        String netns = string(in);
        String topic = string(in);
        int samples = in.getInt();
        long deltaMs = in.getLong();
        long first = in.getLong();
        long last = in.getLong();
        int recordLength = in.getInt();
        int recordOffset = in.position();
        if (recordLength < 0 || recordOffset + recordLength > end) {
          throw new IllegalArgumentException("truncated host-window state entry " + i);
        }
        // Fields a newer writer appended after the record are skipped.
        in.position(end);
        out.add(
            new Entry(
                netns,
                topic,
                samples,
                deltaMs,
                first,
                last,
                bytes,
                recordOffset,
                recordLength,
                offset,
                end - offset));
      }
    } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated host-window state", e);
    }
    return out;
  }

  private static String string(ByteBuffer in) {
    byte[] raw = new byte[in.getInt()];
    in.get(raw);
    return new String(raw, StandardCharsets.UTF_8);
  }
}
