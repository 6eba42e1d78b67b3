package dev.culprit.collector.publish;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The outcome of sending one window of records: which were acknowledged, which failed, why, and
 * whether for good. Outcomes arrive on the transport's I/O thread; the sender waits on the shared
 * condition.
 */
final class DeliveryAttempt {

  private final Lock lock;
  private final Condition changed;
  private final Exception[] errors;
  private final boolean[] permanent;
  private final boolean[] unsent;
  private final boolean[] completed;
  private int outstanding;

  DeliveryAttempt(int records, Lock lock, Condition changed) {
    this.lock = lock;
    this.changed = changed;
    this.errors = new Exception[records];
    this.permanent = new boolean[records];
    this.unsent = new boolean[records];
    this.completed = new boolean[records];
    this.outstanding = records;
  }

  /** Record {@code index} was acknowledged. */
  void acknowledged(int index) {
    complete(index, null, false);
  }

  /**
   * Record {@code index} failed.
   *
   * @param forGood the broker will never take it: it is dropped and counted, not retried
   */
  void failed(int index, Exception error, boolean forGood) {
    complete(index, error, forGood);
  }

  /** Records {@code from} and later were never handed to the broker: {@code cause} says why. */
  void notSent(int from, Exception cause) {
    for (int i = from; i < errors.length; i++) {
      if (complete(i, cause, false)) {
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

  /** Whether record {@code index} failed for good. */
  boolean permanent(int index) {
    return permanent[index];
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

  /** Whether record {@code index}'s outcome is a failure for good (false until it is known). */
  boolean permanentIfDone(int index) {
    lock.lock();
    try {
      return permanent[index];
    } finally {
      lock.unlock();
    }
  }

  /** Records that were handed to the broker and failed (not those never sent). */
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
  private boolean complete(int index, Exception exception, boolean forGood) {
    lock.lock();
    try {
      if (completed[index]) {
        return false;
      }
      completed[index] = true;
      errors[index] = exception;
      permanent[index] = exception != null && forGood;
      outstanding--;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }
}
