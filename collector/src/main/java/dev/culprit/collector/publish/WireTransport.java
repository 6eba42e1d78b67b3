package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.publish.wire.WireProducer;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in produce-only client ({@link WireProducer}) as a {@link Transport}: one I/O thread
 * delivers one window at a time, as the sender hands them over.
 */
final class WireTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(WireTransport.class);

  private record Job(List<SpoolRecord> records, DeliveryAttempt attempt) {}

  private final WireProducer producer;
  private final Runnable brokerUnsupported;
  private final SynchronousQueue<Job> jobs = new SynchronousQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param brokerUnsupported called when the broker does not speak the versions the built-in client
   *     needs; the window fails (it stays in the spool) and the caller's next transport should be
   *     the Java client
   */
  WireTransport(WireProducer.Settings settings, Runnable brokerUnsupported) {
    this.brokerUnsupported = brokerUnsupported;
    this.producer = new WireProducer(settings);
    this.thread = new Thread(this::run, "culprit-kafka-io");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
    try {
      // The sender waits for a window's outcomes before the next: the thread is always free here.
      while (!jobs.offer(new Job(records, attempt), 100, TimeUnit.MILLISECONDS)) {
        if (closed || !thread.isAlive()) {
          attempt.notSent(0, new IOException("Kafka transport closed"));
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attempt.notSent(0, new IOException("interrupted"));
    }
  }

  @Override
  public long connectionsOpened() {
    return producer.connectionsOpened();
  }

  @Override
  public boolean throttled() {
    return producer.throttledWithin(SpoolSender.NOTICE_AFTER.toNanos());
  }

  @Override
  public void tick() {
    producer.closeStuckConnections();
  }

  @Override
  public void close() {
    closed = true;
    producer.close();
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (!closed) {
      Job job;
      try {
        job = jobs.take();
      } catch (InterruptedException e) {
        return;
      }
      boolean unsupported = false;
      try {
        WireProducer.Outcome[] outcomes = producer.send(job.records());
        for (int i = 0; i < outcomes.length; i++) {
          WireProducer.Outcome o = outcomes[i];
          if (o.ok()) {
            job.attempt().acknowledged(i);
          } else {
            unsupported |= o.unsupportedBroker();
            IOException error =
                o.topicUnavailable()
                    ? new TopicUnavailableException(o.error())
                    : o.loginRefused()
                        ? new LoginRefusedException(o.error())
                        : o.timestampRefused()
                            ? new TimestampRefusedException(o.error())
                            : new IOException(o.error());
            job.attempt().failed(i, error, o.permanent());
          }
        }
      } catch (Throwable e) {
        LOG.error("Kafka transport failed on a window; it stays in the spool", e);
        if (e instanceof Error && !(e instanceof LinkageError)) {
          job.attempt().notSent(0, new IOException(e.toString(), e));
          throw (Error) e; // out of memory and the like: the JVM's own handling
        }
      } finally {
        // Whatever happened, every record of the window gets an outcome: the sender waits for it.
        job.attempt().notSent(0, new IOException("Kafka transport failed on this window"));
      }
      if (unsupported) {
        brokerUnsupported.run();
      }
    }
  }
}
