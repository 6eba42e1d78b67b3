package dev.culprit.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used (user + system), from {@code /proc/PID/stat}. On a machine shared
 * with other work, wall-clock throughput swings with their load; CPU time per record does much
 * less, so the report gives both.
 */
final class CpuTime {

  // USER_HZ: the unit of utime and stime; 100 on every Linux architecture culprit runs on.
  private static final double TICKS_PER_SECOND = 100.0;

  private CpuTime() {}

  /** CPU seconds used so far by {@code pid}; 0 when unreadable (exited, not Linux). */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain blanks: count fields after its closing paren.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU seconds used so far by this JVM (the broker and the load generator). */
  static double self() {
    return seconds(ProcessHandle.current().pid());
  }
}
