package dev.culprit.collector.publish.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of spool segment files. A segment starts with an 8-byte magic; then frames, each
 *
 * <pre>
 * int32  bodyLength        big-endian, bytes of body
 * int32  crc32c(body)
 * body:  int64 timestampMs, int16 topicLength, topic (UTF-8), int32 keyLength, key,
 *        int32 valueLength, value
 * </pre>
 *
 * The CRC covers the body; a frame whose length field is implausible or runs past the end of the
 * file is a truncated tail (the process died mid-write, or the disk filled up).
 */
final class SpoolFrames {

  /** "CUSPOOL" and format version 1. */
  static final byte[] MAGIC = {'C', 'U', 'S', 'P', 'O', 'O', 'L', 1};

  static final int HEADER_BYTES = MAGIC.length;
  static final int FRAME_OVERHEAD = 8;
  private static final int MIN_BODY = 8 + 2 + 4 + 4;

  private SpoolFrames() {}

  /** Bytes the frame of {@code record} takes on disk. */
  static int frameBytes(SpoolRecord record) {
    return FRAME_OVERHEAD + bodyBytes(record);
  }

  /** Writes the frames of {@code records} into one buffer, ready to be written at once. */
  static ByteBuffer encode(List<SpoolRecord> records) {
    int total = 0;
    for (SpoolRecord r : records) {
      total += frameBytes(r);
    }
    ByteBuffer out = ByteBuffer.allocate(total);
    CRC32C crc = new CRC32C();
    for (SpoolRecord r : records) {
      byte[] topic = r.topic().getBytes(StandardCharsets.UTF_8);
      int frameStart = out.position();
      int bodyLength = bodyBytes(r);
      out.putInt(bodyLength);
      out.putInt(0);
      int bodyStart = out.position();
      out.putLong(r.timestampMs());
      out.putShort((short) topic.length).put(topic);
      out.putInt(r.key().length).put(r.key());
      out.putInt(r.value().length).put(r.value());
      crc.reset();
      crc.update(out.array(), bodyStart, bodyLength);
      out.putInt(frameStart + 4, (int) crc.getValue());
    }
    return out.flip();
  }

  /**
   * Whether a frame header announcing {@code bodyLength} bytes can be real given {@code remaining}
   * bytes after the header and the spool's largest frame.
   */
  static boolean plausible(int bodyLength, long remaining, int maxFrameBytes) {
    return bodyLength >= MIN_BODY
        && bodyLength <= maxFrameBytes - FRAME_OVERHEAD
        && bodyLength <= remaining;
  }

  /**
   * Decodes a body whose CRC is {@code expectedCrc}.
   *
   * @return the record, or null when the CRC does not match or the inner lengths do not add up
   */
  static SpoolRecord decode(ByteBuffer body, int expectedCrc) {
    CRC32C crc = new CRC32C();
    crc.update(body.duplicate());
    if ((int) crc.getValue() != expectedCrc) {
      return null;
    }
    try {
      long timestampMs = body.getLong();
      int topicLength = body.getShort() & 0xffff;
      byte[] topic = new byte[topicLength];
      body.get(topic);
      byte[] key = new byte[body.getInt()];
      body.get(key);
      byte[] value = new byte[body.getInt()];
      body.get(value);
      if (body.hasRemaining()) {
        return null;
      }
      return new SpoolRecord(new String(topic, StandardCharsets.UTF_8), timestampMs, key, value);
    } catch (RuntimeException e) {
      // Negative or overlong inner lengths: the body is not one of ours despite its CRC.
      return null;
    }
  }

  private static int bodyBytes(SpoolRecord r) {
    return 8
        + 2
        + r.topic().getBytes(StandardCharsets.UTF_8).length
        + 4
        + r.key().length
        + 4
        + r.value().length;
  }
}
