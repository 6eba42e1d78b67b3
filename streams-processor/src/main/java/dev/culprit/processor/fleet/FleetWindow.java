package dev.culprit.processor.fleet;

import dev.culprit.schemas.Cause;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One cause signature in one fleet window: how many hosts voted (which ones is kept by {@link
 * FleetVoters}, so a host counts once however many times its vote arrives), the first {@value
 * #MAX_LISTED} of them by name, sorted, and what was emitted of it.
 */
final class FleetWindow {

  /** Host names kept for the incident's {@code hosts} list (the count covers every host). */
  static final int MAX_LISTED = 100;

  private static final byte VERSION = 1;

  Cause cause;

  /** True once the window's time has passed: later votes are updates. */
  boolean closed;

  /** The host count of the last incident emitted for this window (0: none emitted). */
  int emittedCount;

  int hostCount;

  /** Sorted, at most {@link #MAX_LISTED}. */
  final List<String> listed = new ArrayList<>();

  /** True when an incident should go out for what the window holds now. */
  boolean changedSinceEmitted() {
    return hostCount != emittedCount;
  }

  /** Counts the vote of {@code host}, which {@link FleetVoters} says had not voted yet. */
  void add(String host, Cause voted) {
    hostCount++;
    cause = voted;
    int pos = Collections.binarySearch(listed, host);
    if (pos < 0) {
      listed.add(-pos - 1, host);
      if (listed.size() > MAX_LISTED) {
        listed.remove(listed.size() - 1);
      }
    }
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 24 * listed.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeBoolean(closed);
      out.writeInt(emittedCount);
      out.writeUTF(cause == null ? Cause.UNKNOWN.name() : cause.name());
      out.writeInt(hostCount);
      out.writeShort(listed.size());
      for (String host : listed) {
        byte[] utf8 = host.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static FleetWindow fromBytes(byte[] stored) {
    FleetWindow w = new FleetWindow();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalStateException("fleet window state of unknown version " + version);
      }
      w.closed = in.readBoolean();
      w.emittedCount = in.readInt();
      w.cause = causeNamed(in.readUTF());
      w.hostCount = in.readInt();
      int n = in.readShort();
      for (int i = 0; i < n; i++) {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        w.listed.add(new String(utf8, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w;
  }

  private static Cause causeNamed(String name) {
    try {
      return Cause.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Cause.UNKNOWN; // Written by a newer processor whose schema has more causes.
    }
  }
}
