package dev.culprit.collector.publish.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads frames from a segment for {@link Spool#next}: reads ahead in chunks so a window of small
 * records costs a few system calls, checks every frame's length and CRC, and reports what it must
 * skip.
 */
final class SpoolSegmentReader {

  private static final int READ_AHEAD_BYTES = 256 << 10;

  private SpoolSegmentReader() {}

  /** Where skipped bytes are reported; the receiver moves the segment's read offset past them. */
  interface Corruption {
    void skip(SpoolSegment segment, long offset, long length, long frames, String why);
  }

  /**
   * Appends the segment's next records to {@code out} until it holds {@code maxRecords}, about
   * {@code maxBytes} were read, or the segment ends; advances the segment's read offset.
   *
   * @return the frame bytes of the records read
   */
  static long readFrames(
      SpoolSegment segment,
      List<SpoolRecord> out,
      int maxRecords,
      long maxBytes,
      int maxFrameBytes,
      Corruption corruption)
      throws IOException {
    if (!segment.validHeader) {
      corruption.skip(
          segment, 0, segment.size, segment.frames - segment.framesRead, "no spool header");
      return 0;
    }
    long bytes = 0;
    ByteBuffer chunk = ByteBuffer.allocate(0);
    long chunkStart = segment.readOffset;
    while (segment.readOffset < segment.size && out.size() < maxRecords && bytes < maxBytes) {
      long offset = segment.readOffset;
      long remaining = segment.size - offset;
      if (remaining < SpoolFrames.FRAME_OVERHEAD) {
        corruption.skip(
            segment, offset, remaining, segment.frames - segment.framesRead, "truncated");
        break;
      }
      int inChunk = (int) (chunkStart + chunk.limit() - offset);
      if (inChunk < SpoolFrames.FRAME_OVERHEAD) {
        chunkStart = offset;
        chunk = segment.read(offset, (int) Math.min(remaining, READ_AHEAD_BYTES));
        inChunk = chunk.limit();
      }
      int at = (int) (offset - chunkStart);
      int bodyLength = chunk.getInt(at);
      int crc = chunk.getInt(at + 4);
      if (!SpoolFrames.plausible(
          bodyLength, remaining - SpoolFrames.FRAME_OVERHEAD, maxFrameBytes)) {
        String why = bodyLength > remaining - SpoolFrames.FRAME_OVERHEAD ? "truncated" : "garbled";
        corruption.skip(segment, offset, remaining, segment.frames - segment.framesRead, why);
        break;
      }
      int frameLength = SpoolFrames.FRAME_OVERHEAD + bodyLength;
      ByteBuffer body;
      if (inChunk >= frameLength) {
        body = chunk.slice(at + SpoolFrames.FRAME_OVERHEAD, bodyLength);
      } else if (frameLength <= READ_AHEAD_BYTES) {
        chunkStart = offset;
        chunk = segment.read(offset, (int) Math.min(remaining, READ_AHEAD_BYTES));
        body = chunk.slice(SpoolFrames.FRAME_OVERHEAD, bodyLength);
      } else {
        body = segment.read(offset + SpoolFrames.FRAME_OVERHEAD, bodyLength);
      }
      SpoolRecord record = SpoolFrames.decode(body, crc);
      segment.readOffset = offset + frameLength;
      segment.framesRead++;
      if (record == null) {
        corruption.skip(segment, offset, frameLength, 1, "CRC mismatch");
        continue;
      }
      out.add(record);
      bytes += frameLength;
    }
    return bytes;
  }
}
