package dev.culprit.processor.window;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long each drop of a host has gone on: per (netns, what dropped), the start of the run of
 * consecutive windows in which its counter rose. A total outage under TCP's backoff drops only a
 * few packets a window, but in every window; persistence, not volume, shows it.
 *
 * <p>A rule calls {@link #since} for each drop it sees rise, whether or not it names a cause from
 * it; calling it twice in a window gives the same answer. After the rules, {@link #toBytes} keeps
 * what rose in this window for the next: a drop absent from one window starts over. Judged on
 * windows alone, so a replay of the same samples gives the same runs.
 */
public final class DropStreaks {

  private final long windowStartMs;
  private final Map<String, Long> previous;
  private final Map<String, Long> seen = new TreeMap<>();

  private DropStreaks(long windowStartMs, Map<String, Long> previous) {
    this.windowStartMs = windowStartMs;
    this.previous = previous;
  }

  /** No memory: every drop starts in this window (a rule test, a host's first window). */
  public static DropStreaks none(long windowStartMs) {
    return new DropStreaks(windowStartMs, Map.of());
  }

  /**
   * The start of the window {@code stored} was written for: the host's last judged window, so a
   * window that starts no later has been judged already. {@link Long#MIN_VALUE} for null.
   */
  public static long judgedUpTo(byte[] stored) {
    if (stored == null) {
      return Long.MIN_VALUE;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      return in.readLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The runs of the window [windowStartMs, windowStartMs + windowSizeMs), continuing those stored
   * for the window just before it; {@code stored} null when there is none.
   */
  public static DropStreaks continuing(long windowStartMs, long windowSizeMs, byte[] stored) {
    if (stored == null) {
      return none(windowStartMs);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      long lastStartMs = in.readLong();
      int n = in.readInt();
      Map<String, Long> runs = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        runs.put(in.readUTF(), in.readLong());
      }
      // Only the window right before continues a run: a gap (no drop, no window) ends it.
      return lastStartMs == windowStartMs - windowSizeMs
          ? new DropStreaks(windowStartMs, runs)
          : none(windowStartMs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Records that {@code what} dropped in {@code netns} in this window and returns when its run
   * started, epoch ms (this window's start when it did not drop in the one before).
   */
  public long since(String netns, String what) {
    String key = netns + '\u0000' + what;
    return seen.computeIfAbsent(key, k -> previous.getOrDefault(k, windowStartMs));
  }

  /** The runs seen in this window, by key. */
  Map<String, Long> seen() {
    return Collections.unmodifiableMap(seen);
  }

  /** This window's runs, for the next window. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(windowStartMs);
      out.writeInt(seen.size());
      for (Map.Entry<String, Long> e : seen.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
