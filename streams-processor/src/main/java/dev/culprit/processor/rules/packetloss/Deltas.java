package dev.culprit.processor.rules.packetloss;

/** Reading a window's counter deltas, where null means the sample did not report the counter. */
final class Deltas {

  private Deltas() {}

  /** The delta, or 0 where it was not reported. */
  static long value(Long delta) {
    return delta == null ? 0 : delta;
  }
}
