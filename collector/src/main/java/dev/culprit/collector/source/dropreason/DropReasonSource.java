package dev.culprit.collector.source.dropreason;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.records.DropReasonCount;
import dev.culprit.collector.records.DropReasonSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import dev.culprit.schemas.DropReasons;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code dropreasons} source ({@code --drop-reasons}, off by default): the kernel's own reason
 * for the packets it drops, from the {@code skb:kfree_skb} tracepoint through a small ftrace ring
 * of its own ({@link KfreeSkbInstance}). It publishes, per host, the exact number of drops and, by
 * reason, the records it read (a sample) and the drops they stand for (estimated).
 *
 * <p>{@link Scope#HOST}: the tracepoint fires for every namespace, and its record names none (the
 * packet may have none left when it is freed), so the counts are the host's, published with netns
 * "". The processor quotes them, as the host's, in the causes they may explain.
 *
 * <p>Counters run from the collector's start, like the kernel's own: a cycle the publisher lost
 * costs nothing, and the processor's deltas and reset handling work as for every source. The
 * reasons some culprit cause explains are listed from the first sample, at 0, so that the first
 * time one rises already has a baseline; any other reason is listed from its first sighting.
 *
 * <p>When tracing is impossible here (no tracefs and none mountable, no privileges, a kernel before
 * 5.17) every cycle reports NO_DATA with the reason, and it tries again a minute later.
 */
public final class DropReasonSource extends NamedSource implements AutoCloseable {

  private final Path sysRoot;
  private final CommandRunner runner;

  // Guarded by this: the collector may call a source from any worker thread.
  private KfreeSkbInstance instance;
  private long drops;
  private long sampled;
  private final Map<String, long[]> byReason = new TreeMap<>();
  private final Map<String, Double> estimated = new TreeMap<>();
  private boolean closed;
  private NoDataException failure;
  private long failedAt;

  /**
   * How long a failure to start recording is reported again before the next try: each try may fork
   * {@code mount}, and what was missing (tracefs, privileges) rarely appears within a cycle.
   */
  static final java.time.Duration RETRY = java.time.Duration.ofMinutes(1);

  /**
   * @param sysRoot the host's sysfs, where tracefs is (or can be) mounted
   * @param runner runs {@code mount} when tracefs is not mounted; null: never mount
   */
  public DropReasonSource(Path sysRoot, CommandRunner runner) {
    super("dropreasons", Scope.HOST);
    this.sysRoot = sysRoot;
    this.runner = runner;
    DropReasons.modelled().forEach(r -> byReason.put(r, new long[] {0}));
  }

  @Override
  public synchronized List<Sample> collect(Netns netns, Header header) throws Exception {
    if (closed) {
      throw new NoDataException("the drop-reason source is closed");
    }
    if (instance == null) {
      long now = System.nanoTime();
      if (failure != null && now - failedAt < RETRY.toNanos()) {
        throw failure;
      }
      try {
        // The first cycle starts the recording; what it read before then is unknown, not zero.
        instance = KfreeSkbInstance.open(sysRoot, runner);
        failure = null;
      } catch (NoDataException e) {
        failure = e;
        failedAt = now;
        throw e;
      }
      return List.of(new Sample(WireTopics.DROP_REASONS, header.host(), sample(header)));
    }
    KfreeSkbInstance.Cycle cycle = instance.readAndReset();
    drops += cycle.taken();
    cycle
        .sampled()
        .forEach(
            (reason, n) -> {
              sampled += n;
              byReason.computeIfAbsent(reason, r -> new long[] {0})[0] += n;
            });
    // Scaled per CPU: the rings are per CPU (see Cycle#estimated).
    cycle.estimated().forEach((reason, n) -> estimated.merge(reason, n, Double::sum));
    return List.of(new Sample(WireTopics.DROP_REASONS, header.host(), sample(header)));
  }

  private DropReasonSample sample(Header header) {
    List<DropReasonCount> reasons = new ArrayList<>(byReason.size());
    byReason.forEach(
        (reason, n) ->
            reasons.add(
                new DropReasonCount(
                    reason, n[0], Math.round(estimated.getOrDefault(reason, 0.0)))));
    return DropReasonSample.newBuilder(header.stamp(new DropReasonSample()))
        .setDrops(drops)
        .setSampled(sampled)
        .setBufferKbPerCpu(KfreeSkbInstance.BUFFER_KB)
        .setReasons(reasons)
        .build();
  }

  /** Stops recording and removes the ftrace instance. */
  @Override
  public synchronized void close() {
    closed = true;
    if (instance != null) {
      instance.close();
      instance = null;
    }
  }

  /** The instance recording now, if any (the kernel tests check it is gone after close). */
  synchronized Path instancePath() {
    return instance == null ? null : instance.path();
  }
}
