package dev.culprit.collector.source.qdisc;

import java.util.Locale;

/**
 * tc's time and size conversions (iproute2 tc/tc_core.c), needed to print tbf burst/latency and
 * netem delays from the kernel's tick values as tc does. The tick length comes from {@code
 * /proc/net/psched}; the arithmetic, down to where tc truncates to an unsigned int, is tc's.
 */
final class TcCore {

  static final double TIME_UNITS_PER_SEC = 1_000_000;

  /** tc's defaults when psched is unreadable. */
  static final TcCore DEFAULT = new TcCore(1, 1);

  private final double tickInUsec;
  private final double clockFactor;

  TcCore(double tickInUsec, double clockFactor) {
    this.tickInUsec = tickInUsec;
    this.clockFactor = clockFactor;
  }

  /**
   * From {@code /proc/net/psched} ({@code 000003e8 00000040 000f4240 3b9aca00}: t2us, us2t,
   * clock_res, hrtimer resolution), as tc_core_init reads it.
   */
  static TcCore fromPsched(String text) {
    if (text == null) {
      return DEFAULT;
    }
    String[] f = text.trim().split("\\s+");
    if (f.length < 3) {
      return DEFAULT;
    }
    try {
      long t2us = Long.parseLong(f[0].toLowerCase(Locale.ROOT), 16);
      long us2t = Long.parseLong(f[1].toLowerCase(Locale.ROOT), 16);
      long clockRes = Long.parseLong(f[2].toLowerCase(Locale.ROOT), 16);
      if (us2t == 0) {
        return DEFAULT;
      }
      // "compatibility hack" of tc_core_init: nanosecond clocks advertise a multiplier of 1000.
      if (clockRes == 1_000_000_000L) {
        t2us = us2t;
      }
      double clockFactor = clockRes / TIME_UNITS_PER_SEC;
      return new TcCore((double) t2us / us2t * clockFactor, clockFactor);
    } catch (NumberFormatException e) {
      return DEFAULT;
    }
  }

  /** tc_core_tick2time: ticks to microseconds, truncated to an unsigned int. */
  long tick2time(long ticks) {
    return u32((long) ((ticks & 0xffffffffL) / tickInUsec));
  }

  /**
   * tc_calc_xmitsize: bytes sent at {@code rate} bytes/s during {@code ticks}, as an unsigned int.
   */
  long xmitSize(long rate, long ticks) {
    return u32((long) (((double) rate * tick2time(ticks)) / TIME_UNITS_PER_SEC));
  }

  double clockFactor() {
    return clockFactor;
  }

  private static long u32(long value) {
    return value & 0xffffffffL;
  }
}
