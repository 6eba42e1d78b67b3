package dev.culprit.bench.collector;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU (this thread + waited-for children) and wall time per call of a collector operation, in
 * microseconds.
 */
record CallCost(double cpuMicros, double wallMicros) {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** One call of the operation measured. */
  interface Call {
    Object run() throws Exception;
  }

  /** Warms {@code call} up (JIT, buffers, the first listing), then times {@code iterations}. */
  static CallCost measure(int iterations, Call call) throws Exception {
    for (int i = 0; i < Math.max(10, iterations / 5); i++) {
      call.run();
    }
    long childBefore = childrenCpuNanos();
    long cpuBefore = THREADS.getCurrentThreadCpuTime();
    long wallBefore = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      call.run();
    }
    long wall = System.nanoTime() - wallBefore;
    long cpu = THREADS.getCurrentThreadCpuTime() - cpuBefore + childrenCpuNanos() - childBefore;
    return new CallCost(cpu / 1e3 / iterations, wall / 1e3 / iterations);
  }

  /** cutime + cstime of this JVM (waited-for children), from /proc/self/stat, in ns. */
  private static long childrenCpuNanos() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields after ")": state(3) ... cutime is field 16, cstime 17 (1-based in proc(5)).
    long ticks = Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3]);
    return ticks * 10_000_000L; // USER_HZ = 100
  }
}
