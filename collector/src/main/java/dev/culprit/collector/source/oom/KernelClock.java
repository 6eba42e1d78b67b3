package dev.culprit.collector.source.oom;

import dev.culprit.collector.platform.procfs.ProcFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Converts the kernel log's "microseconds since boot" into wall-clock time and tells how far the
 * kernel's clock is now, for the follower's look-back.
 */
public interface KernelClock {

  /** The kernel's time since boot now, in microseconds (the clock {@code /dev/kmsg} stamps). */
  long nowSinceBootUs();

  /** Wall-clock epoch milliseconds of a kernel timestamp. */
  long toEpochMs(long sinceBootUs);

  /**
   * The host's clock, calibrated once from {@code <procRoot>/uptime} and then advanced with {@link
   * System#nanoTime()} (monotonic). Kernel log timestamps stop during suspend while uptime does
   * not, so after a suspend the conversion is off by the time slept; servers rarely suspend.
   */
  static KernelClock system(Path procRoot) throws IOException {
    String uptime = ProcFiles.read(procRoot.resolve("uptime"), ProcFiles.SMALL_BYTES).trim();
    String seconds = uptime.split("\\s+")[0];
    long uptimeUs = Math.round(Double.parseDouble(seconds) * 1_000_000d);
    long nanoAtCalibration = System.nanoTime();
    long bootEpochMs = System.currentTimeMillis() - uptimeUs / 1000;
    return new KernelClock() {
      @Override
      public long nowSinceBootUs() {
        return uptimeUs + (System.nanoTime() - nanoAtCalibration) / 1000;
      }

      @Override
      public long toEpochMs(long sinceBootUs) {
        return bootEpochMs + sinceBootUs / 1000;
      }
    };
  }

  /** A fixed clock for tests: the kernel's "now" and the wall time of boot. */
  static KernelClock fixed(long nowSinceBootUs, long bootEpochMs) {
    return new KernelClock() {
      @Override
      public long nowSinceBootUs() {
        return nowSinceBootUs;
      }

      @Override
      public long toEpochMs(long sinceBootUs) {
        return bootEpochMs + sinceBootUs / 1000;
      }
    };
  }
}
