package dev.culprit.bench.collector;

/** An idle JVM: the RSS baseline the collector's own is compared with. */
public final class Idle {

  private Idle() {}

  public static void main(String[] args) throws InterruptedException {
    new java.util.concurrent.CountDownLatch(1).await();
  }
}
