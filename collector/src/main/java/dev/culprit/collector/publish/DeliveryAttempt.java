package dev.culprit.collector.publish;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.apache.kafka.clients.producer.Callback;

/**
 * The outcome of sending one window of records: which were acknowledged, which failed and why.
 * Callbacks arrive on the producer's I/O thread; the sender waits on the shared condition.
 */
final class DeliveryAttempt {

  private final Lock lock;
  private final Condition changed;
  private final Exception[] errors;
  private final boolean[] unsent;
  private final boolean[] completed;
  private int outstanding;

  DeliveryAttempt(int records, Lock lock, Condition changed) {
    this.lock = lock;
    this.changed = changed;
    this.errors = new Exception[records];
    this.unsent = new boolean[records];
    this.completed = new boolean[records];
    this.outstanding = records;
  }

  /** The callback of record {@code index}. */
  Callback callback(int index) {
    return (metadata, exception) -> {
      complete(index, exception);
    };
  }

  /** Records {@code from} and later were never handed to the producer: {@code cause} says why. */
  void notSent(int from, Exception cause) {
    for (int i = from; i < errors.length; i++) {
      if (complete(i, cause)) {
        unsent[i] = true;
      }
    }
  }

  /** Whether every record has its outcome. Call with the lock held. */
  boolean done() {
    return outstanding == 0;
  }

  /** Record {@code index}'s failure, or null when the broker acknowledged it. */
  Exception error(int index) {
    return errors[index];
  }

  /** Record {@code index}'s failure if its outcome is already known, else null. */
  Exception errorIfDone(int index) {
    lock.lock();
    try {
      return errors[index];
    } finally {
      lock.unlock();
    }
  }

  /** Records that were handed to the producer and failed (not those never sent). */
  int failedAttempts() {
    int n = 0;
    for (int i = 0; i < errors.length; i++) {
      if (errors[i] != null && !unsent[i]) {
        n++;
      }
    }
    return n;
  }

  int size() {
    return errors.length;
  }

  /** Records the outcome once; false when the record already had one. */
  private boolean complete(int index, Exception exception) {
    lock.lock();
    try {
      if (completed[index]) {
        return false;
      }
      completed[index] = true;
      errors[index] = exception;
      outstanding--;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }
}
