package dev.culprit.processor.packetloss;

import dev.culprit.processor.window.HostWindowState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored forms of {@link PacketLossTopology#HELD_STORE}: per host, the sources its last judged
 * window held (key: the host), and the window held back because it lacks some of them (key: {@link
 * #HELD_PREFIX} + host). Format: {@code count:int32} then {@code count} UTF strings; a held window
 * is {@code start:int64 end:int64 length:int32 aggregate}.
 */
final class HeldWindows {

  /** Prefix of the keys of held windows; a host name never starts with NUL. */
  static final String HELD_PREFIX = "\u0000held\u0000";

  /** A window held back: its bounds and its aggregate so far. */
  record Held(long startMs, long endMs, HostWindowState aggregate) {}

  private HeldWindows() {}

  static byte[] encodeSources(List<String> sources) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(sources.size());
      for (String s : sources) {
        out.writeUTF(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<String> decodeSources(byte[] stored) {
    if (stored == null) {
      return List.of();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      int n = in.readInt();
      List<String> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(in.readUTF());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] encodeHeld(Held held) {
    byte[] aggregate = held.aggregate().toBytes();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(20 + aggregate.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(held.startMs());
      out.writeLong(held.endMs());
      out.writeInt(aggregate.length);
      out.write(aggregate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Held decodeHeld(byte[] stored) {
    if (stored == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      long start = in.readLong();
      long end = in.readLong();
      byte[] aggregate = new byte[in.readInt()];
      in.readFully(aggregate);
      return new Held(start, end, HostWindowState.fromBytes(aggregate));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
