package dev.culprit.collector.source.oom;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.KernelOomSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.container.ContainerRef;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kernel-log source: one {@link KernelOomSample} per OOM kill, on {@code
 * culprit.samples.kernel}.
 *
 * <p>The kernel log is followed by a {@link KmsgFollower} daemon thread, started lazily by the
 * first {@link #collect} (or by {@link #start()}) and stopped by {@link #close()}; each collect
 * drains the kills seen since the last one. When the follower dies (an I/O error), the next collect
 * reports the error and the one after restarts it; kills already published are recognised by their
 * kernel sequence number and not published twice.
 */
public final class KernelOomSource extends NamedSource implements AutoCloseable {

  /** Default look-back on start: a kill just before the collector (re)started is still reported. */
  public static final Duration DEFAULT_LOOK_BACK = Duration.ofMinutes(2);

  private static final int BUFFER_CAPACITY = 1024;

  private final HostPaths paths;
  private final Duration lookBack;
  private final ClockFactory clockFactory;
  private KmsgFollower follower;
  private KernelClock clock;
  private long lastPublishedSeq = -1;
  private boolean closed;

  public KernelOomSource(HostPaths paths, Duration lookBack) {
    this(paths, lookBack, () -> KernelClock.system(paths.procRoot()));
  }

  /** For tests: a fixed kernel clock (fixture logs are from another boot). */
  KernelOomSource(HostPaths paths, Duration lookBack, ClockFactory clockFactory) {
    super("kernel", Scope.HOST);
    this.paths = Objects.requireNonNull(paths, "paths");
    this.lookBack = Objects.requireNonNull(lookBack, "lookBack");
    this.clockFactory = Objects.requireNonNull(clockFactory, "clockFactory");
  }

  /** Starts following the kernel log now rather than on the first collect. */
  public synchronized void start() throws NoDataException, IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (follower != null) {
      return;
    }
    KernelClock clock = clockFactory.create();
    KmsgFollower f = new KmsgFollower(paths.devKmsg(), lookBack, clock, BUFFER_CAPACITY);
    try {
      f.start();
    } catch (NoSuchFileException e) {
      throw new NoDataException("no kernel log device at " + paths.devKmsg());
    } catch (AccessDeniedException e) {
      throw new NoDataException(
          "cannot read " + paths.devKmsg() + ": the collector needs root or CAP_SYSLOG");
    }
    follower = f;
    this.clock = clock;
  }

  @Override
  public synchronized List<Sample> collect(Netns netns, Header header) throws Exception {
    start();
    List<OomReport> reports = follower.drain();
    Throwable failure = follower.failure();
    List<Sample> samples = new ArrayList<>(reports.size());
    for (OomReport report : reports) {
      if (report.kmsgSeq() <= lastPublishedSeq) {
        continue;
      }
      lastPublishedSeq = report.kmsgSeq();
      KernelOomSample value = toSample(report, header, clock);
      samples.add(new Sample(WireTopics.KERNEL, header.host(), value));
    }
    if (failure != null && !follower.isRunning()) {
      follower.close();
      follower = null;
      if (samples.isEmpty()) {
        throw new IOException("kernel log follower failed: " + failure, failure);
      }
    }
    return samples;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (follower != null) {
      follower.close();
      follower = null;
    }
  }

  /** Maps a parsed report to the contract record. */
  static KernelOomSample toSample(OomReport r, Header header, KernelClock clock) {
    String containerMemcg = r.taskMemcg() != null ? r.taskMemcg() : r.memcg();
    Optional<ContainerRef> container = ContainerRef.fromCgroupPath(containerMemcg);
    if (container.isEmpty() && r.memcg() != null) {
      container = ContainerRef.fromCgroupPath(r.memcg());
    }
    return KernelOomSample.newBuilder()
        .setHost(header.host())
        .setNetns("")
        .setSampleTimeMs(header.sampleTimeMs())
        .setCollectorId(header.collectorId())
        .setBootId(header.bootId())
        .setSeq(0L)
        .setKmsgSeq(r.kmsgSeq())
        .setKernelTimeUs(r.kernelTimeUs())
        .setKillTimeMs(clock.toEpochMs(r.kernelTimeUs()))
        .setVictimPid(r.victimPid())
        .setVictimName(r.victimName())
        .setVictimUid(r.victimUid())
        .setConstraint(r.constraint())
        .setMemcg(r.memcg())
        .setTaskMemcg(r.taskMemcg())
        .setContainerId(container.map(ContainerRef::id).orElse(null))
        .setTotalVmKb(r.totalVmKb())
        .setAnonRssKb(r.anonRssKb())
        .setFileRssKb(r.fileRssKb())
        .setShmemRssKb(r.shmemRssKb())
        .setPgtablesKb(r.pgtablesKb())
        .setOomScoreAdj(r.oomScoreAdj())
        .setMemUsageKb(r.memUsageKb())
        .setMemLimitKb(r.memLimitKb())
        .setMemFailcnt(r.memFailcnt())
        .setInvokedBy(r.invokedBy())
        .setLines(new ArrayList<>(r.lines()))
        .build();
  }

  /** Creates the kernel clock when the follower starts. */
  @FunctionalInterface
  interface ClockFactory {
    KernelClock create() throws IOException;
  }
}
