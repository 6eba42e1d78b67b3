package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.SoftnetCpu;
import dev.culprit.schemas.SoftnetSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * SOFTNET_BACKLOG_DROP: a CPU's input backlog (the per-CPU queue {@code netif_rx} and RPS put
 * received packets on) already held {@code net.core.netdev_max_backlog} packets, so the kernel
 * dropped the next ones (drop reason CPU_BACKLOG), counted in column 2 of {@code
 * /proc/net/softnet_stat} and on no interface. It happens when packets arrive faster than one CPU
 * processes them: a burst larger than the bound, or receive work concentrated on few CPUs.
 *
 * <p>A cause when the CPUs whose drops are at least {@link
 * PacketLossThresholds#backlogMinDropShare()} of the packets handed to them (processed + dropped)
 * dropped {@value #MIN_PACKETS} or more together. {@code time_squeeze} (the softirq ran out of
 * budget with work left) only corroborates: a busy CPU that still emptied its backlog lost nothing.
 * The statistics are host-wide, so the rule speaks only in the host namespace's window.
 */
record SoftnetBacklogDropRule(PacketLossThresholds thresholds) implements PacketLossRule {

  static final long MIN_PACKETS = 10;

  /** The kernel's default, for the fix when the setting could not be read. */
  static final long KERNEL_DEFAULT_MAX_BACKLOG = 1000;

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    SoftnetSample sample = window.softnet().orElse(null);
    if (sample == null) {
      return List.of();
    }
    List<SoftnetCpu> dropping = new ArrayList<>();
    long dropped = 0;
    long processed = 0;
    long squeezed = 0;
    boolean squeezeKnown = false;
    for (SoftnetCpu cpu : sample.getCpus()) {
      Long drops = cpu.getDropped();
      Long done = cpu.getProcessed();
      if (drops == null || done == null || drops <= 0) {
        continue;
      }
      if (Fmt.ratio(drops, done + drops) < thresholds.backlogMinDropShare()) {
        continue;
      }
      dropping.add(cpu);
      dropped += drops;
      processed += done;
      if (cpu.getTimeSqueeze() != null) {
        squeezed += cpu.getTimeSqueeze();
        squeezeKnown = true;
      }
    }
    if (dropped < MIN_PACKETS) {
      return List.of();
    }
    dropping.sort(Comparator.comparingInt(SoftnetCpu::getCpu));
    String cpus =
        dropping.stream().map(c -> Integer.toString(c.getCpu())).collect(Collectors.joining(","));
    String cpuWords = (dropping.size() == 1 ? "CPU " : "CPUs ") + cpus;
    Long maxBacklog = sample.getNetdevMaxBacklog();
    long raiseTo = 2 * (maxBacklog != null ? maxBacklog : KERNEL_DEFAULT_MAX_BACKLOG);
    double share = Fmt.ratio(dropped, processed + dropped);
    long intervalMs = window.deltaMs(SampleKinds.SOFTNET);
    return List.of(
        CauseBuilder.of(window, Cause.SOFTNET_BACKLOG_DROP, Layer.LINK, "backlog " + cpuWords)
            .evidence("cpus", cpus)
            .evidence("dropped", dropped)
            .evidence("processed", processed)
            .evidence("timeSqueeze", squeezeKnown ? squeezed : null)
            .evidence("dropShare", share)
            .evidence("netdevMaxBacklog", maxBacklog)
            .evidence("intervalMs", intervalMs)
            .confidence(0.9)
            .summary(
                String.format(
                    Locale.ROOT,
                    "The input backlog of %s overflowed: %d packets dropped in %s, %s of the %d"
                        + " handed to %s (softnet_stat dropped%s), because %s already held"
                        + " net.core.netdev_max_backlog%s packets.",
                    cpuWords,
                    dropped,
                    Fmt.seconds(intervalMs),
                    Fmt.percent(share),
                    processed + dropped,
                    dropping.size() == 1 ? "it" : "them",
                    squeezeKnown
                        ? "; the receive softirq also ran out of budget " + squeezed + " times"
                        : "",
                    dropping.size() == 1 ? "its backlog" : "each backlog",
                    maxBacklog == null ? "" : " = " + maxBacklog))
            // netdev_max_backlog is one host-wide setting (not per namespace), so the fix runs on
            // the host whatever namespace the sample came from.
            .fix(
                Fixes.sysctl(
                    Fixes.host(),
                    List.of("net.core.netdev_max_backlog=" + raiseTo),
                    "and spread receive processing over more CPUs: RSS (ethtool -L <device>"
                        + " combined <CPUs>) or RPS (echo <cpu mask> >"
                        + " /sys/class/net/<device>/queues/rx-<n>/rps_cpus)"))
            .build());
  }
}
