package dev.culprit.collector.source.dropreason;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import java.nio.file.Path;

/**
 * A collector's drop-reason source alone in a JVM of its own, for the kernel test to kill with
 * SIGKILL: it starts recording, prints its instance's path and waits to be killed.
 */
public final class DropReasonSourceMain {

  private DropReasonSourceMain() {}

  public static void main(String[] args) throws Exception {
    DropReasonSource source = new DropReasonSource(Path.of(args[0]), new ProcessCommandRunner());
    source.collect(
        new Netns("", 0, Path.of("/proc/self/ns/net"), null, true),
        new Header("culprit-t", "", System.currentTimeMillis(), "main", null));
    System.out.println(source.instancePath());
    System.out.flush();
    Thread.sleep(Long.parseLong(args[1]));
  }
}
