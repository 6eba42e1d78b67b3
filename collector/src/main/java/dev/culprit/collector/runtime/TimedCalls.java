package dev.culprit.collector.runtime;

import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.TooLargeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs source calls on worker threads, at most {@code maxConcurrent} at a time, each with its own
 * timeout counted from when it starts. A call that overruns is abandoned and reported TIMEOUT: it
 * is interrupted, and its thread no longer counts against the limit, so a source stuck in an
 * uninterruptible read holds one thread but never the cycle or the other sources. While an
 * abandoned call still runs, the same source in the same namespace is not started again (reported
 * TIMEOUT with the time it has been stuck).
 */
final class TimedCalls implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TimedCalls.class);
  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int ABANDONED = 2;

  /** Put into a run's queue to make it look at {@link #aborted}. */
  private static final Running<Object> WAKE_UP = new Running<>(-1, null, 0, null);

  private final int maxConcurrent;
  private final Supplier<Instant> now;
  private final ExecutorService threads;
  private final Map<CallKey, Instant> stuck = new ConcurrentHashMap<>();
  private final Set<BlockingQueue<Running<?>>> active = ConcurrentHashMap.newKeySet();
  private volatile boolean aborted;
  private final AtomicInteger threadNumber = new AtomicInteger();

  /**
   * @param now wall-clock time for "stuck since" reasons
   */
  TimedCalls(int maxConcurrent, Supplier<Instant> now) {
    this.maxConcurrent = maxConcurrent;
    this.now = now;
    // Unbounded threads, bounded concurrency: stuck calls keep their threads, new calls get new
    // ones; idle threads end after a minute. A call is handed to an idle thread, waiting briefly
    // for one: the thread whose call just finished signals it a moment before it is back at the
    // queue, and without the wait every such moment made a new thread (9 threads for 4 calls at a
    // time with 10 namespaces, each with its stack).
    this.threads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new HandOff(),
            r -> {
              Thread t = new Thread(r, "culprit-source-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A queue that holds nothing: {@code offer} hands the task to a thread waiting for one within
   * {@link #WAIT_MS}, else refuses it, so the executor starts a new thread.
   */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private static final long WAIT_MS = 20;

    @Override
    public boolean offer(Runnable task) {
      try {
        return tryTransfer(task, WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** One call to make. */
  record Call<T>(CallKey key, Callable<T> body) {}

  /**
   * Runs {@code calls} and returns their outcomes in the same order. Calls not started by {@code
   * deadlineNanos} (System.nanoTime) are SKIPPED; a running call is cut off at its timeout or at
   * the deadline, whichever comes first.
   *
   * @return the outcomes, or null when {@link #abort()} ended the run
   */
  <T> List<CallOutcome<T>> runAll(List<Call<T>> calls, Duration timeout, long deadlineNanos)
      throws InterruptedException {
    return runAll(calls, timeout, deadlineNanos, UnaryOperator.identity());
  }

  /**
   * As {@link #runAll(List, Duration, long)}, handing each outcome to {@code release} on this
   * thread, once, as soon as it and the outcomes of every earlier call of the same source ({@link
   * CallKey#source()}) are known: each source's outcomes in the calls' order, a source never
   * waiting for another's (a slow host-wide call does not hold back the namespaces' results). What
   * {@code release} returns takes the outcome's place in the list returned, so a caller can pass a
   * call's result on (and drop it) while later calls still run. When {@code release} throws, the
   * calls still running are abandoned and the exception propagates.
   */
  <T> List<CallOutcome<T>> runAll(
      List<Call<T>> calls,
      Duration timeout,
      long deadlineNanos,
      UnaryOperator<CallOutcome<T>> release)
      throws InterruptedException {
    List<CallOutcome<T>> outcomes = new ArrayList<>(calls.size());
    calls.forEach(c -> outcomes.add(null));
    BlockingQueue<Running<?>> finished = new LinkedBlockingQueue<>();
    active.add(finished);
    try {
      return runAll(calls, timeout, deadlineNanos, outcomes, finished, release);
    } finally {
      active.remove(finished);
    }
  }

  private <T> List<CallOutcome<T>> runAll(
      List<Call<T>> calls,
      Duration timeout,
      long deadlineNanos,
      List<CallOutcome<T>> outcomes,
      BlockingQueue<Running<?>> finished,
      UnaryOperator<CallOutcome<T>> release)
      throws InterruptedException {
    Map<Integer, Running<T>> running = new LinkedHashMap<>();
    int next = 0;
    // Each source's calls not released yet, in order.
    Map<String, ArrayDeque<Integer>> unreleased = new LinkedHashMap<>();
    for (int i = 0; i < calls.size(); i++) {
      unreleased.computeIfAbsent(calls.get(i).key().source(), s -> new ArrayDeque<>()).add(i);
    }
    try {
      while (next < calls.size() || !running.isEmpty()) {
        if (aborted) {
          running.values().forEach(r -> abandon(r, false));
          return null;
        }
        while (running.size() < maxConcurrent && next < calls.size()) {
          int index = next++;
          Call<T> call = calls.get(index);
          CallOutcome<T> refused = refuse(call.key(), deadlineNanos);
          if (refused != null) {
            outcomes.set(index, refused);
            continue;
          }
          running.put(index, start(index, call, timeout, deadlineNanos, finished));
        }
        release(outcomes, unreleased, release);
        if (running.isEmpty()) {
          continue;
        }
        long wait = running.values().stream().mapToLong(r -> r.deadline).min().orElseThrow();
        Running<?> done =
            finished.poll(Math.max(0, wait - System.nanoTime()), TimeUnit.NANOSECONDS);
        while (done != null && done != WAKE_UP) {
          Running<T> mine = running.remove(done.index);
          outcomes.set(done.index, mine.outcome);
          done = finished.poll();
        }
        long nowNanos = System.nanoTime();
        for (var it = running.values().iterator(); it.hasNext(); ) {
          Running<T> r = it.next();
          if (nowNanos >= r.deadline && abandon(r, true)) {
            it.remove();
            String why =
                r.deadline < r.started + timeout.toNanos()
                    ? "cut off at the end of the cycle after " + micros(nowNanos - r.started) / 1000
                    : "no answer within " + timeout.toMillis();
            outcomes.set(
                r.index,
                CallOutcome.failed(
                    r.call.key(), SourceState.TIMEOUT, why + " ms", micros(nowNanos - r.started)));
          }
        }
        release(outcomes, unreleased, release);
      }
    } catch (RuntimeException | Error e) {
      running.values().forEach(r -> abandon(r, false));
      throw e;
    }
    return outcomes;
  }

  /** Releases every source's known outcomes up to its first unknown one. */
  private static <T> void release(
      List<CallOutcome<T>> outcomes,
      Map<String, ArrayDeque<Integer>> unreleased,
      UnaryOperator<CallOutcome<T>> release) {
    for (ArrayDeque<Integer> pending : unreleased.values()) {
      while (!pending.isEmpty() && outcomes.get(pending.peekFirst()) != null) {
        // Taken off first: a release that throws is not retried with the same outcome.
        int i = pending.pollFirst();
        outcomes.set(i, release.apply(outcomes.get(i)));
      }
    }
  }

  /** Makes a running {@link #runAll} return promptly (with null), abandoning its calls. */
  void abort() {
    aborted = true;
    active.forEach(q -> q.add(WAKE_UP));
  }

  /** How many abandoned calls still run. */
  int stuckCalls() {
    return stuck.size();
  }

  @Override
  public void close() {
    aborted = true;
    threads.shutdownNow();
  }

  private <T> CallOutcome<T> refuse(CallKey key, long deadlineNanos) {
    Instant since = stuck.get(key);
    if (since != null) {
      return CallOutcome.failed(
          key,
          SourceState.TIMEOUT,
          "previous call still running since " + since + "; not started",
          0);
    }
    if (System.nanoTime() >= deadlineNanos) {
      return CallOutcome.failed(
          key, SourceState.SKIPPED, "the cycle ran out of time before this call could start", 0);
    }
    return null;
  }

  private <T> Running<T> start(
      int index,
      Call<T> call,
      Duration timeout,
      long deadlineNanos,
      BlockingQueue<Running<?>> out) {
    Running<T> r = new Running<>(index, call, System.nanoTime(), now.get());
    r.deadline = Math.min(r.started + timeout.toNanos(), deadlineNanos);
    r.future =
        threads.submit(
            () -> {
              CallOutcome<T> outcome = invoke(call);
              if (r.state.compareAndSet(RUNNING, DONE)) {
                r.outcome = outcome;
                out.add(r);
              } else if (stuck.remove(call.key()) != null) {
                LOG.info(
                    "{} returned after {} ms; it had been abandoned at its timeout",
                    call.key().describe(),
                    outcome.durationUs() / 1000);
              }
              return null;
            });
    return r;
  }

  /** Marks a call abandoned unless it just finished; true when it was abandoned. */
  private boolean abandon(Running<?> r, boolean remember) {
    if (remember) {
      // Before the state change: the worker removes the entry only after seeing ABANDONED.
      stuck.put(r.call.key(), r.startedAt);
    }
    if (!r.state.compareAndSet(RUNNING, ABANDONED)) {
      if (remember) {
        stuck.remove(r.call.key());
      }
      return false;
    }
    // Frees threads blocked in Process.waitFor, sleeps and interruptible channels.
    r.future.cancel(true);
    return true;
  }

  private static <T> CallOutcome<T> invoke(Call<T> call) {
    long started = System.nanoTime();
    try {
      T value = call.body().call();
      if (value == null) {
        return CallOutcome.failed(
            call.key(), SourceState.ERROR, "returned null", micros(System.nanoTime() - started));
      }
      return CallOutcome.ok(call.key(), micros(System.nanoTime() - started), value);
    } catch (NoDataException e) {
      return CallOutcome.failed(
          call.key(), SourceState.NO_DATA, e.getMessage(), micros(System.nanoTime() - started));
    } catch (Throwable e) {
      if (tooLarge(e) != null) {
        // A file or command output past its read cap: no data this cycle, and it says why.
        return CallOutcome.failed(
            call.key(),
            SourceState.NO_DATA,
            tooLarge(e).getMessage(),
            micros(System.nanoTime() - started));
      }
      // One source's bug, even an Error, must not stop the others.

      return CallOutcome.failed(
          call.key(), SourceState.ERROR, describe(e), micros(System.nanoTime() - started));
    }
  }

  /** The {@link TooLargeException} {@code e} is or was caused by, or null. */
  private static TooLargeException tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLargeException tooLarge) {
        return tooLarge;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }

  private static long micros(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos);
  }

  /** A started call. */
  private static final class Running<T> {
    final int index;
    final Call<T> call;
    final long started;
    final Instant startedAt;
    final AtomicInteger state = new AtomicInteger(RUNNING);
    long deadline;
    Future<?> future;
    volatile CallOutcome<T> outcome;

    Running(int index, Call<T> call, long started, Instant startedAt) {
      this.index = index;
      this.call = call;
      this.started = started;
      this.startedAt = startedAt;
    }
  }
}
