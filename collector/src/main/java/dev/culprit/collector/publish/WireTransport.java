package dev.culprit.collector.publish;

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
  private final SynchronousQueue<Job> jobs = new SynchronousQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  WireTransport(WireProducer.Settings settings) {
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
      try {
        WireProducer.Outcome[] outcomes = producer.send(job.records());
        for (int i = 0; i < outcomes.length; i++) {
          WireProducer.Outcome o = outcomes[i];
          if (o.ok()) {
            job.attempt().acknowledged(i);
          } else {
            job.attempt().failed(i, new IOException(o.error()), o.permanent());
          }
        }
      } catch (RuntimeException e) {
        LOG.error("Kafka transport failed on a window; it stays in the spool", e);
        job.attempt().notSent(0, e);
      }
    }
  }
}
