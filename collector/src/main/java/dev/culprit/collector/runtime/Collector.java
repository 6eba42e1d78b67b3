package dev.culprit.collector.runtime;

import dev.culprit.collector.publish.Publisher;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's run loop. Every interval, on wall-clock multiples of it, it finds the network
 * namespaces, runs each per-namespace source in each and each host source once (isolated, each call
 * with its own timeout, see {@link TimedCalls}), and publishes the samples followed by a {@code
 * CollectorHealth} record that says how every call went. Every record of a cycle carries the
 * cycle's scheduled time as its sample time.
 *
 * <p>The collector owns the publisher: {@link #close()} closes it.
 */
public final class Collector implements AutoCloseable {

  /** The pseudo-source under which namespace discovery reports in the health record. */
  public static final String DISCOVERY = "netns-discovery";

  private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  private final CollectorConfig config;
  private final List<Source> sources;
  private final NamespaceFinder finder;
  private final Publisher publisher;
  private final Clock clock;
  private final TimedCalls calls;
  private final StateChangeLog stateLog = new StateChangeLog();
  private final ReentrantLock cycleLock = new ReentrantLock();
  private final CountDownLatch stop = new CountDownLatch(1);

  private volatile boolean closed;
  private Thread loop;
  private List<Netns> lastNamespaces;
  private String bootId;

  /**
   * A collector for {@code sources} (those {@link CollectorConfig#enabledSources()} names, or all).
   *
   * @throws IllegalArgumentException when two sources share a name or an enabled name matches none
   */
  public Collector(
      CollectorConfig config, List<Source> sources, NamespaceFinder finder, Publisher publisher) {
    this(config, sources, finder, publisher, Clock.systemUTC());
  }

  /** For tests: with the clock that decides cycle times. */
  Collector(
      CollectorConfig config,
      List<Source> sources,
      NamespaceFinder finder,
      Publisher publisher,
      Clock clock) {
    this.config = config;
    this.sources = enabled(sources, config.enabledSources());
    this.finder = finder;
    this.publisher = publisher;
    this.clock = clock;
    this.calls = new TimedCalls(config.maxConcurrentSources(), clock::instant);
  }

  /**
   * Runs one cycle now (sample time = the clock's current time), publishes its records and returns
   * them in the order published: the samples (each source's in namespace order, the sources' as
   * they finished), then the health record.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public List<Sample> runOnce() throws InterruptedException {
    return runCycle(clock.millis(), true);
  }

  /**
   * Starts the loop on its own thread; the first cycle runs at the next multiple of the interval.
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("collector is closed");
    }
    if (loop != null) {
      return;
    }
    loop = new Thread(this::runLoop, "culprit-collector");
    loop.start();
    LOG.info(
        "collector {} for host {} started: sources {} every {}",
        config.collectorId(),
        config.hostId(),
        sources.stream().map(Source::name).toList(),
        config.interval());
  }

  /** Abandoned source calls that still run (for tests and diagnostics). */
  int stuckCalls() {
    return calls.stuckCalls();
  }

  /** The sources this collector runs. */
  public List<Source> sources() {
    return sources;
  }

  /**
   * Stops the loop without waiting for a running cycle's slow sources (that cycle is abandoned, see
   * {@link Publisher.Cycle#abandon}), then closes the publisher, which delivers or spools what it
   * has. Idempotent.
   */
  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = loop;
    }
    calls.abort();
    stop.countDown();
    if (running != null) {
      try {
        running.join(JOIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    calls.close();
    // Sources that follow a stream (kernel log, engine events) hold threads and connections.
    for (Source source : sources) {
      if (source instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("closing source {} failed: {}", source.name(), e.toString());
        }
      }
    }
    publisher.close();
    LOG.info("collector {} stopped", config.collectorId());
  }

  private void runLoop() {
    long intervalMs = config.interval().toMillis();
    long tick = CycleSchedule.nextTick(clock.millis(), intervalMs);
    try {
      while (!closed) {
        tick = waitFor(tick, intervalMs);
        if (closed) {
          return;
        }
        try {
          runCycle(tick, false);
        } catch (RuntimeException e) {
          LOG.error("cycle at {} failed", tick, e);
        }
        long next = CycleSchedule.nextTick(clock.millis(), intervalMs);
        long missed = CycleSchedule.missedTicks(tick, next, intervalMs);
        if (missed > 0) {
          LOG.warn("cycle at {} ran past the next one; skipping {} cycle(s)", tick, missed);
        }
        tick = next;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps until {@code tick}; returns the tick to run (re-aligned if the clock jumped back). */
  private long waitFor(long tick, long intervalMs) throws InterruptedException {
    long target = tick;
    while (true) {
      long now = clock.millis();
      if (now >= target) {
        return target;
      }
      if (target - now > intervalMs) {
        // The wall clock went backwards: wait for the next tick of the new time, not hours.
        target = CycleSchedule.nextTick(now, intervalMs);
      }
      if (stop.await(Math.min(target - now, 1000), TimeUnit.MILLISECONDS)) {
        return target;
      }
    }
  }

  /**
   * One cycle. Each call's samples go to the publisher's cycle as soon as they and those of the
   * same source's earlier calls are made (each source's records in namespace order; the sources'
   * records interleave as they finish), so a cycle of many namespaces never holds all their samples
   * at once, nor waits for a slow host-wide source to hand over the namespaces'; they die young.
   * The health record ends the cycle. A cycle the collector's closing cuts short is abandoned: no
   * health record, and what it handed over is delivered or dropped as its publisher does it.
   *
   * @param keep whether to return the cycle's records (else an empty list: they are not kept)
   */
  private List<Sample> runCycle(long tickMs, boolean keep) throws InterruptedException {
    cycleLock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("collector is closed");
      }
      long started = System.nanoTime();
      long deadline = started + config.interval().toNanos() * 9 / 10;
      Header header = new Header(config.hostId(), "", tickMs, config.collectorId(), bootId());

      List<CallOutcome<?>> outcomes = new ArrayList<>();
      List<Netns> namespaces = discover(deadline, outcomes);
      if (namespaces == null) {
        return List.of();
      }
      List<Sample> kept = keep ? new ArrayList<>() : null;
      Publisher.Cycle cycle = publisher.startCycle();
      boolean published = false;
      try {
        List<CallOutcome<List<Sample>>> results =
            collect(
                namespaces,
                header,
                deadline,
                outcome -> {
                  if (outcome.state() != SourceState.OK) {
                    return outcome;
                  }
                  cycle.add(outcome.value());
                  if (kept != null) {
                    kept.addAll(outcome.value());
                  }
                  return outcome.withoutValue();
                });
        if (results == null) {
          return List.of();
        }
        for (Source source : sources) {
          source.retainOnly(namespaces);
        }
        outcomes.addAll(results);
        logChanges(outcomes);
        long cycleUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
        Sample health = HealthReport.build(header, cycleUs, outcomes, publisher.stats());
        published = true; // publish ends the cycle, also when it throws
        cycle.publish(List.of(health));
        if (kept == null) {
          return List.of();
        }
        kept.add(health);
        return kept;
      } finally {
        if (!published) {
          cycle.abandon();
        }
      }
    } finally {
      cycleLock.unlock();
    }
  }

  /** The namespaces of this cycle; null when the collector is closing. */
  private List<Netns> discover(long deadline, List<CallOutcome<?>> outcomes)
      throws InterruptedException {
    CallKey key = new CallKey(DISCOVERY, "");
    List<CallOutcome<List<Netns>>> found =
        calls.runAll(
            List.of(new TimedCalls.Call<>(key, finder::find)), config.sourceTimeout(), deadline);
    if (found == null) {
      return null;
    }
    CallOutcome<List<Netns>> outcome = found.get(0);
    outcomes.add(outcome);
    List<Netns> namespaces;
    if (outcome.state() == SourceState.OK) {
      namespaces = outcome.value();
      lastNamespaces = namespaces;
    } else {
      // Sample what we knew last (or the host alone) rather than nothing.
      namespaces = lastNamespaces != null ? lastNamespaces : List.of(hostFallback());
    }
    List<Netns> accepted = new ArrayList<>();
    for (Netns ns : namespaces) {
      if (config.netnsFilter().accepts(ns)) {
        accepted.add(ns);
      }
    }
    if (accepted.stream().noneMatch(Netns::host)) {
      accepted.add(0, hostFallback());
    }
    return accepted;
  }

  private List<CallOutcome<List<Sample>>> collect(
      List<Netns> namespaces,
      Header header,
      long deadline,
      UnaryOperator<CallOutcome<List<Sample>>> release)
      throws InterruptedException {
    List<TimedCalls.Call<List<Sample>>> todo = new ArrayList<>();
    Netns host = namespaces.stream().filter(Netns::host).findFirst().orElseThrow();
    for (Source source : sources) {
      if (source.scope() == Source.Scope.HOST) {
        todo.add(call(source, host, header));
      }
    }
    for (Netns ns : namespaces) {
      for (Source source : sources) {
        if (source.scope() == Source.Scope.PER_NETNS) {
          todo.add(call(source, ns, header));
        }
      }
    }
    return calls.runAll(todo, config.sourceTimeout(), deadline, release);
  }

  private static TimedCalls.Call<List<Sample>> call(Source source, Netns ns, Header header) {
    Header forNs = header.forNetns(ns);
    return new TimedCalls.Call<>(
        new CallKey(source.name(), ns.label()), () -> source.collect(ns, forNs));
  }

  private void logChanges(List<CallOutcome<?>> outcomes) {
    for (StateChangeLog.Change change : stateLog.update(outcomes)) {
      if (change.level() == StateChangeLog.Level.WARN) {
        LOG.warn(change.message());
      } else {
        LOG.info(change.message());
      }
    }
  }

  private Netns hostFallback() {
    return new Netns("", 0, config.hostPaths().procRoot().resolve("1/ns/net"), 1, true);
  }

  private String bootId() {
    if (bootId == null) {
      bootId = HostIdentity.bootId(config.hostPaths());
    }
    return bootId;
  }

  private static List<Source> enabled(List<Source> all, Set<String> names) {
    Set<String> seen = new HashSet<>();
    for (Source s : all) {
      if (!seen.add(s.name())) {
        throw new IllegalArgumentException("two sources are named " + s.name());
      }
    }
    if (names.isEmpty()) {
      return List.copyOf(all);
    }
    Set<String> unknown = new HashSet<>(names);
    unknown.removeAll(seen);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown sources " + new TreeSet<>(unknown) + "; known: " + new TreeSet<>(seen));
    }
    return all.stream().filter(s -> names.contains(s.name())).toList();
  }
}
