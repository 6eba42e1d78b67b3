package dev.culprit.collector.platform.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A dump handler that parses and keeps the first {@code max} messages of one type and only counts
 * the rest: what a namespace anyone can fill costs the agent is bounded by {@code max}, and the
 * caller still learns how many there were ({@link #seen}) to say so.
 *
 * @param <T> what one message parses into
 */
public final class BoundedDump<T> implements NlMessages.Handler {

  /** Parses one message's payload; null for one to skip. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(ByteBuffer payload) throws NetlinkException;
  }

  private final int type;
  private final int max;
  private final Parser<T> parser;
  private final List<T> into;
  private int seen;

  private BoundedDump(int type, int max, Parser<T> parser, List<T> into) {
    this.type = type;
    this.max = max;
    this.parser = parser;
    this.into = into;
  }

  /** Keeps at most {@code max} parsed messages of {@code type} in {@code into}. */
  public static <T> BoundedDump<T> of(int type, int max, Parser<T> parser, List<T> into) {
    return new BoundedDump<>(type, max, parser, into);
  }

  @Override
  public void message(int messageType, ByteBuffer payload) throws NetlinkException {
    if (messageType == type && ++seen <= max) {
      T parsed = parser.parse(payload);
      if (parsed != null) {
        into.add(parsed);
      }
    }
  }

  /** Messages of the type this dump has seen, kept or not. */
  public int seen() {
    return seen;
  }
}
