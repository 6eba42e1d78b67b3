package dev.culprit.app;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C / SIGTERM for long-running commands: a shutdown hook releases the command's main thread
 * and waits for it to close its clients, processor and broker in order before the JVM exits.
 */
final class Shutdown {

  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
  private static volatile boolean requested;

  private Shutdown() {}

  /** Whether the JVM is shutting down on a signal. */
  static boolean requested() {
    return requested;
  }

  /** Blocks the calling (main) thread until the JVM is asked to stop. */
  static void awaitSignal() throws InterruptedException {
    awaitSignalOr(new CompletableFuture<>());
  }

  /**
   * Blocks the calling (main) thread until the JVM is asked to stop or {@code failed} completes (a
   * component that stopped by itself: the command then closes the rest and exits non-zero).
   */
  static void awaitSignalOr(CompletableFuture<?> failed) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    failed.whenComplete((value, error) -> stop.countDown());
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  requested = true;
                  LOG.info("stop requested; shutting down");
                  stop.countDown();
                  try {
                    main.join(CLOSE_TIMEOUT.toMillis());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "culprit-shutdown"));
    stop.await();
  }
}
