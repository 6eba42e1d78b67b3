package dev.culprit.bench.fleet;

import dev.culprit.processor.ResultFeed;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet sampling in real time (each host at its phase of every interval) while the full
 * topology runs in its own JVM: latency from a sample to its cause on the result topic, the
 * processor's lag, and its memory.
 */
final class RealtimePhase {

  private static final Logger LOG = LoggerFactory.getLogger(RealtimePhase.class);

  private RealtimePhase() {}

  static BenchReport.Realtime run(
      FleetGenerator fleet,
      KafkaProducer<String, byte[]> producer,
      String bootstrap,
      Offsets offsets,
      String appId,
      FleetBench.Options options,
      BenchReport report)
      throws Exception {
    Path state = options.stateDir(appId);
    Map<String, Long> sampleTimes = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean consuming = new AtomicBoolean(true);
    long interval = fleet.options().interval().toMillis();
    try (ChildProcessor child = ChildProcessor.start("full", bootstrap, appId, options);
        ResultFeed<RootCause> feed =
            new ResultFeed<>(bootstrap, Topics.ROOTCAUSE_PACKET_LOSS, false)) {
      // The new application starts from the earliest offsets: let it work through the preload
      // first, so the real-time phase measures steady state.
      long backlog = offsets.end();
      long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
      while (offsets.committed(appId) < backlog && System.nanoTime() < deadline) {
        Thread.sleep(500); // A polling interval of the measurement, not a synchronisation.
        child.sampleRssKb();
      }
      feed.poll(Duration.ofMillis(100)); // Join the group, positioned at the end.
      Thread consumer =
          new Thread(
              () -> {
                while (consuming.get()) {
                  for (RootCause cause : feed.poll(Duration.ofMillis(200))) {
                    Long sampled =
                        sampleTimes.get(cause.getHost() + "@" + cause.getWindowStartMs());
                    if (sampled != null) {
                      latencies.add(System.currentTimeMillis() - sampled);
                    }
                  }
                }
              },
              "bench-latency");
      consumer.start();

      long start = (System.currentTimeMillis() / interval + 1) * interval;
      long end = start + options.realtime().toMillis();
      int[] order = FleetBench.hostsByPhase(fleet);
      long maxLag = 0;
      long nextLagCheck = start;
      long producedRecords = 0;
      for (long c = 0; start + c * interval < end; c++) {
        long cycleStart = start + c * interval;
        for (int host : order) {
          long due = cycleStart + fleet.phaseMs(host);
          long wait = due - System.currentTimeMillis();
          if (wait > 0) {
            LockSupport.parkNanos(wait * 1_000_000); // Pacing the load, as collectors do.
          }
          FleetBench.send(fleet, producer, host, options.preloadCycles() + c, due, sampleTimes);
          producedRecords += fleet.recordsPerHostCycle();
          if (System.currentTimeMillis() >= nextLagCheck) {
            maxLag = Math.max(maxLag, offsets.end() - offsets.committed(appId));
            child.sampleRssKb();
            nextLagCheck += 1000;
          }
        }
      }
      producer.flush();
      double producingSeconds = (System.currentTimeMillis() - start) / 1000.0;
      long lagAtEnd = offsets.end() - offsets.committed(appId);
      maxLag = Math.max(maxLag, lagAtEnd);
      // Windows closed in the run are judged within window + grace + processing; wait for them.
      long drainUntil = System.currentTimeMillis() + interval + 2_000 + 5_000;
      while (System.currentTimeMillis() < drainUntil) {
        Thread.sleep(200);
      }
      consuming.set(false);
      consumer.join();
      List<Long> sorted;
      synchronized (latencies) {
        sorted = new ArrayList<>(latencies);
      }
      Collections.sort(sorted);
      LOG.info("real time: {} events, max lag {}", sorted.size(), maxLag);
      return new BenchReport.Realtime(
          producedRecords,
          producedRecords / Math.max(producingSeconds, 1e-3),
          sorted.size(),
          percentile(sorted, 0.50),
          percentile(sorted, 0.99),
          sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1),
          maxLag,
          lagAtEnd,
          child.peakRssKb());
    } finally {
      consuming.set(false);
      FleetBench.deleteRecursively(state);
    }
  }

  private static long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
