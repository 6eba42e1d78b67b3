package dev.culprit.collector.testing;

/** A JVM that does nothing for a while: a real Java process for the probes to find. */
public final class SleepMain {

  private SleepMain() {}

  public static void main(String[] args) throws InterruptedException {
    Thread.sleep(Long.parseLong(args[0]));
  }
}
