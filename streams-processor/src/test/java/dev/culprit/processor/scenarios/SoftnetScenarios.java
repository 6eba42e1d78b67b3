package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.cpu;
import static dev.culprit.processor.scenarios.WebHost.HOST;

import java.util.List;
import java.util.Map;

/**
 * SOFTNET_BACKLOG_DROP: a CPU's input backlog overflowing, and its near misses: a CPU squeezed for
 * time that still emptied its backlog, a burst's trickle, a healthy host.
 */
final class SoftnetScenarios {

  private SoftnetScenarios() {}

  static List<Scenario> all() {
    return List.of(
        softnet(
            "softnet-backlog-drop",
            "CPU 1 takes every receive of a single-queue NIC (no RSS/RPS): its backlog, bounded at"
                + " netdev_max_backlog 1000, drops 2400 of 60000 packets in a window while"
                + " time_squeeze rises; CPU 0 is idle",
            new long[] {40_000, 57_600},
            new long[] {0, 2_400},
            new long[] {3, 180}),
        softnet(
            "softnet-time-squeeze-without-drops-is-quiet",
            "both CPUs run out of softirq budget 500 times a window but their backlogs never"
                + " drop: busy, not losing",
            new long[] {80_000, 90_000},
            new long[] {0, 0},
            new long[] {500, 500}),
        softnet(
            "softnet-burst-trickle-is-quiet",
            "a burst costs CPU 0 four packets of 200000: the bound doing its job, not a cause",
            new long[] {200_000, 150_000},
            new long[] {4, 0},
            new long[] {2, 0}),
        softnet(
            "softnet-healthy-host-is-quiet",
            "a host receiving 100000 packets a window on two CPUs, nothing dropped or squeezed",
            new long[] {50_000, 50_000},
            new long[] {0, 0},
            new long[] {0, 0}));
  }

  /** Two cycles; per CPU, how much processed, dropped and time_squeeze rise between them. */
  private static Scenario softnet(
      String name, String why, long[] processed, long[] dropped, long[] squeezed) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          // The host namespace's protocol counters: the symptoms the event carries.
          h.pipe(
              f.protocol("", Map.of("Tcp.RetransSegs", 100L + c * 40)),
              f.softnet(
                  1_000L,
                  cpu(0, 7_000_000L + c * processed[0], 12L + c * dropped[0], 9L + c * squeezed[0]),
                  cpu(
                      1,
                      6_000_000L + c * processed[1],
                      30L + c * dropped[1],
                      4L + c * squeezed[1])));
        });
  }
}
