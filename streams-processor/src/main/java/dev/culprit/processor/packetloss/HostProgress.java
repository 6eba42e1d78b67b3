package dev.culprit.processor.packetloss;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far one host's own samples have come, per sample topic, and which of its windows are open:
 * the clock {@link HostWindowProcessor} closes that host's windows by. Other hosts' samples never
 * move it.
 *
 * <p>Stored form, version 1 (big-endian): {@code 'P' 0x01 lastSeenMs:int64 arrivedAtMs:int64
 * activeSinceMs:int64}, {@code n:int32} then {@code n × (topic:UTF newestMs:int64
 * arrivedAtMs:int64)}, {@code m:int32} then {@code m × topic:UTF} (the topics its last judged
 * window had), {@code k:int32} then {@code k × start:int64} (open windows, ascending). A value this
 * build cannot read is treated as no progress (the host starts over), never a crash.
 */
final class HostProgress {

  private static final byte MAGIC = 'P';
  private static final byte VERSION = 1;

  /** Per sample topic, the newest sample time of the host read from it. */
  final Map<String, Long> newest = new TreeMap<>();

  /** Per sample topic, the partition's stream time when the host's last record of it came. */
  final Map<String, Long> arrived = new TreeMap<>();

  /** The sample topics the host's last judged window had: what a window waits for. */
  final Set<String> expected = new TreeSet<>();

  /** Starts of the host's windows not judged yet, ascending. */
  final TreeSet<Long> open = new TreeSet<>();

  /** The newest sample time of the host from any topic; {@link Long#MIN_VALUE} before any. */
  long lastSeenMs = Long.MIN_VALUE;

  /**
   * The partition's stream time when the host's last sample arrived: how long it has been silent.
   */
  long arrivedAtMs = Long.MIN_VALUE;

  /** The stream time its samples started coming again after a silence (or first came). */
  long activeSinceMs = Long.MIN_VALUE;

  /**
   * Records a sample of {@code topic} at {@code timeMs}, read at stream time {@code nowMs}; a host
   * whose last sample came more than {@code gapMs} of stream time earlier starts a new run.
   */
  void saw(String topic, long timeMs, long nowMs, long gapMs) {
    if (arrivedAtMs == Long.MIN_VALUE || nowMs - arrivedAtMs > gapMs) {
      activeSinceMs = nowMs;
    }
    arrivedAtMs = Math.max(arrivedAtMs, nowMs);
    newest.merge(topic, timeMs, Math::max);
    arrived.put(topic, nowMs);
    lastSeenMs = Math.max(lastSeenMs, timeMs);
  }

  /**
   * Whether every waited-for topic not yet at {@code timeMs} has stopped coming: none of its
   * records arrived after stream time {@code quietSinceMs}. A topic merely read behind the host's
   * others (a spool drained after an outage is fetched topic by topic) keeps arriving and is waited
   * for.
   */
  boolean laggingTopicsStopped(long timeMs, long quietSinceMs) {
    for (String topic : lagging(timeMs)) {
      Long at = arrived.get(topic);
      long heard = Math.max(at == null ? Long.MIN_VALUE : at, activeSinceMs);
      if (heard > quietSinceMs) {
        return false;
      }
    }
    return true;
  }

  /** The topics the host's windows wait for that have no sample at or after {@code timeMs} yet. */
  Set<String> lagging(long timeMs) {
    Set<String> waitFor = expected.isEmpty() ? newest.keySet() : expected;
    Set<String> out = new TreeSet<>();
    for (String topic : waitFor) {
      Long t = newest.get(topic);
      if (t == null || t < timeMs) {
        out.add(topic);
      }
    }
    return out;
  }

  /**
   * Whether every topic the host's windows wait for has a sample at or after {@code timeMs}: the
   * topics its last judged window had or, before its first judgement, every topic seen so far. A
   * collector publishes each topic in time order and Kafka keeps that order per partition, so a
   * topic past a window's end (plus grace) has delivered all of its samples of that window.
   */
  boolean allPast(long timeMs) {
    Set<String> waitFor = expected.isEmpty() ? newest.keySet() : expected;
    if (waitFor.isEmpty()) {
      return false; // Nothing of its own yet (probe rounds only): its silence closes the window.
    }
    for (String topic : waitFor) {
      Long t = newest.get(topic);
      if (t == null || t < timeMs) {
        return false;
      }
    }
    return true;
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 40 * newest.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(MAGIC);
      out.writeByte(VERSION);
      out.writeLong(lastSeenMs);
      out.writeLong(arrivedAtMs);
      out.writeLong(activeSinceMs);
      out.writeInt(newest.size());
      for (Map.Entry<String, Long> e : newest.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
        out.writeLong(arrived.getOrDefault(e.getKey(), Long.MIN_VALUE));
      }
      out.writeInt(expected.size());
      for (String topic : expected) {
        out.writeUTF(topic);
      }
      out.writeInt(open.size());
      for (long start : open) {
        out.writeLong(start);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The stored progress; a fresh one for null. */
  static HostProgress fromBytes(byte[] stored) {
    HostProgress p = new HostProgress();
    if (stored == null) {
      return p;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      if (in.readByte() != MAGIC || in.readByte() != VERSION) {
        throw new IOException("not a version-1 host progress");
      }
      p.lastSeenMs = in.readLong();
      p.arrivedAtMs = in.readLong();
      p.activeSinceMs = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String topic = in.readUTF();
        p.newest.put(topic, in.readLong());
        p.arrived.put(topic, in.readLong());
      }
      int m = in.readInt();
      for (int i = 0; i < m; i++) {
        p.expected.add(in.readUTF());
      }
      int k = in.readInt();
      for (int i = 0; i < k; i++) {
        p.open.add(in.readLong());
      }
      return p;
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable host progress: " + e.getMessage(), e);
    }
  }

  /** The open windows' starts, oldest first (a copy: judging removes from the set). */
  List<Long> openStarts() {
    return new ArrayList<>(open);
  }
}
