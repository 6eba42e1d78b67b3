package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;

/**
 * Walks netlink messages ({@code struct nlmsghdr}, include/uapi/linux/netlink.h) laid end to end in
 * a buffer, as one {@code recv} returns them or as a captured dump holds them:
 *
 * <pre>
 * u32 nlmsg_len (header included) | u16 nlmsg_type | u16 nlmsg_flags | u32 nlmsg_seq | u32 nlmsg_pid
 * payload, padded to 4 bytes
 * </pre>
 *
 * <p>Pure: the buffer's byte order is the kernel's (host order, little-endian on x86-64 and
 * aarch64), set by whoever fills it.
 */
public final class NlMessages {

  public static final int HEADER = 16;
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;
  public static final int NLM_F_REQUEST = 0x1;
  public static final int NLM_F_MULTI = 0x2;
  public static final int NLM_F_ACK = 0x4;

  /** The dump changed while the kernel walked it: entries may be missing or doubled. */
  public static final int NLM_F_DUMP_INTR = 0x10;

  public static final int NLM_F_DUMP = 0x300;

  private NlMessages() {}

  /** Receives each data message of a dump. */
  @FunctionalInterface
  public interface Handler {
    /**
     * One message.
     *
     * @param type its {@code nlmsg_type} (RTM_NEWLINK, ...)
     * @param payload the bytes after the header, position 0, limit the payload length; only valid
     *     during the call
     */
    void message(int type, ByteBuffer payload) throws NetlinkException;
  }

  /** What a walk over one buffer found besides data messages. */
  public record Walk(boolean done, boolean interrupted) {}

  /**
   * Hands every data message in {@code buffer} (position to limit) whose sequence number is {@code
   * seq} to {@code handler} (messages of other sequence numbers — late replies to an abandoned
   * request — are skipped; {@code seq < 0} accepts all, for captured dumps).
   *
   * @throws NetlinkException on NLMSG_ERROR with a non-zero error, NLMSG_OVERRUN, or a length that
   *     runs past the buffer
   */
  public static Walk walk(ByteBuffer buffer, int seq, Handler handler) throws NetlinkException {
    boolean done = false;
    boolean interrupted = false;
    int pos = buffer.position();
    int end = buffer.limit();
    while (pos + HEADER <= end && !done) {
      int len = buffer.getInt(pos);
      int type = buffer.getShort(pos + 4) & 0xffff;
      int flags = buffer.getShort(pos + 6) & 0xffff;
      int msgSeq = buffer.getInt(pos + 8);
      if (len < HEADER || pos + len > end) {
        throw new NetlinkException(
            "malformed netlink message at byte " + pos + ": length " + len + " of " + (end - pos));
      }
      if (seq < 0 || msgSeq == seq) {
        interrupted |= (flags & NLM_F_DUMP_INTR) != 0;
        switch (type) {
          case NLMSG_NOOP -> {
            // padding message: nothing to do
          }
          case NLMSG_DONE -> done = true;
          case NLMSG_ERROR -> {
            int error = len >= HEADER + 4 ? buffer.getInt(pos + HEADER) : -1;
            if (error != 0) {
              throw new NetlinkException("netlink request failed: errno " + -error, -error);
            }
            done = true; // an ACK ends a request that asked for one
          }
          case NLMSG_OVERRUN -> throw new NetlinkException("netlink overrun: messages were lost");
          default -> {
            ByteBuffer payload = buffer.slice(pos + HEADER, len - HEADER).order(buffer.order());
            handler.message(type, payload);
          }
        }
      }
      pos += align(len);
    }
    buffer.position(Math.min(pos, end));
    return new Walk(done, interrupted);
  }

  /** NLMSG_ALIGN / RTA_ALIGN: 4 bytes. */
  public static int align(int length) {
    return (length + 3) & ~3;
  }
}
