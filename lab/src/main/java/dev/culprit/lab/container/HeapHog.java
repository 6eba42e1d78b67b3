package dev.culprit.lab.container;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lab's Java workload: waits, then allocates and touches heap at a steady rate, keeping every
 * block, until the JVM or the kernel stops it. Run inside lab containers from its own class file,
 * so it must use nothing but {@code java.base}.
 *
 * <p>Arguments: delay before allocating (ms), block size (MiB), pause between blocks (ms). The
 * delay lets the collector see the JVM (and read its heap ceiling) before it grows.
 */
public final class HeapHog {

  private HeapHog() {}

  public static void main(String[] args) throws InterruptedException {
    long delayMs = Long.parseLong(args[0]);
    int blockMiB = Integer.parseInt(args[1]);
    long pauseMs = Long.parseLong(args[2]);
    Thread.sleep(delayMs);
    List<byte[]> kept = new ArrayList<>();
    while (true) {
      byte[] block = new byte[blockMiB << 20];
      // Touch every page so the memory is resident (charged to the cgroup), not just reserved.
      Arrays.fill(block, (byte) 1);
      kept.add(block);
      Thread.sleep(pauseMs);
    }
  }
}
