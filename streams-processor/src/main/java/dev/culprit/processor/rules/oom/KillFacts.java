package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.JvmInfo;
import dev.culprit.schemas.KernelOomSample;
import java.util.List;

/**
 * What the rules read about a kill, derived once from its {@link KillContext}: the limit and usage
 * at the kill (the kernel's own numbers first, the cgroup's samples otherwise), the victim and,
 * when it is a JVM, its heap ceiling, the usage growth before the kill, the counter deltas and the
 * engine's exit state. Null means not known.
 */
final class KillFacts {

  final KillContext context;
  final KernelOomSample kernel;

  /** The newest sample of the container taken at or before the kill (else the oldest after). */
  final ContainerStats before;

  /** The engine's exit capture (die), or null. */
  final ContainerStats died;

  final String name;

  /** The Kubernetes pod the container ran in, or null off Kubernetes. */
  final PodName pod;

  final String location;
  final String containerId;
  final Long limitBytes;
  final Long usageAtKillBytes;
  final Integer victimPid;
  final String victimName;
  final Long victimRssBytes;
  final JvmInfo jvm;

  /** The sample {@link #jvm} was taken from (its time and trigger say how good its read was). */
  final Observation jvmSample;

  /** The victim JVM's newest known resident size (a dying process shows none). */
  final Long jvmRssBytes;

  final Long growthFromBytes;
  final Long growthFromMs;
  final int samplesBefore;
  final Long failcntDelta;
  final Long oomKillDelta;
  final Integer exitCode;
  final Boolean engineOomKilled;
  final String engineState;

  KillFacts(KillContext ctx) {
    this.context = ctx;
    this.kernel = ctx.kernel();
    List<Observation> obs = ctx.observations();
    Observation beforeObs = null;
    Observation dieObs = null;
    int count = 0;
    for (Observation o : obs) {
      if (o.timeMs() <= ctx.killTimeMs() && o.isPeriodic()) {
        beforeObs = o;
        count++;
      }
      if (o.isDie()) {
        dieObs = o;
      }
    }
    if (beforeObs == null && !obs.isEmpty()) {
      beforeObs = obs.get(0);
    }
    this.samplesBefore = count;
    this.before = beforeObs == null ? null : beforeObs.stats();
    this.died = dieObs == null ? null : dieObs.stats();
    ContainerStats any = died != null ? died : before;
    this.name =
        firstNonNull(
            before == null ? null : before.getName(), died == null ? null : died.getName());
    this.pod = firstNonNull(PodName.of(before), PodName.of(died));
    this.location =
        name != null
            ? name
            : pod != null
                ? pod.location()
                : ctx.containerKey().isEmpty() ? "host" : ctx.containerKey();
    this.containerId = containerIdOf(ctx, any);
    this.limitBytes = limit(kernel, before, died);
    this.usageAtKillBytes = usage(kernel, obs, ctx.killTimeMs());
    this.victimPid = kernel == null ? null : kernel.getVictimPid();
    this.victimName = kernel == null ? null : kernel.getVictimName();
    this.victimRssBytes = rss(kernel);
    Seen seen = victimJvm(obs, ctx.killTimeMs(), victimPid, victimName);
    this.jvm = seen == null ? null : seen.jvm();
    this.jvmSample = seen == null ? null : seen.from();
    this.jvmRssBytes = seen == null ? null : newestRss(obs, seen.from(), seen.jvm());
    Observation first = firstWithUsage(obs, ctx.killTimeMs());
    this.growthFromBytes = first == null ? null : first.stats().getMemoryUsageBytes();
    this.growthFromMs = first == null ? null : first.timeMs();
    this.failcntDelta = delta(obs, ContainerStats::getMemoryFailcnt);
    this.oomKillDelta = delta(obs, ContainerStats::getOomKillCount);
    ContainerStats engine = died != null ? died : latestWithEngine(obs);
    this.exitCode = engine == null ? null : engine.getExitCode();
    this.engineOomKilled = engine == null ? null : engine.getOomKilled();
    this.engineState = engine == null ? null : engine.getState();
  }

  /** Whether the victim is a Java process (by its JVM sample or its name). */
  boolean victimIsJvm() {
    return jvm != null || "java".equals(victimName);
  }

  /** The victim as a phrase: "java (pid 32361)". */
  String victim() {
    if (victimName == null) {
      return "a process";
    }
    return victimName + (victimPid == null ? "" : " (pid " + victimPid + ")");
  }

  /** "container tomcat" / "pod shop/cart-7d9f, container tomcat" / "cgroup /culprit-lab". */
  String where() {
    if (context.containerKey().isEmpty()) {
      return "the host";
    }
    if (pod != null) {
      return pod.phrase();
    }
    return (containerId != null ? "container " : "cgroup ") + location;
  }

  private static String containerIdOf(KillContext ctx, ContainerStats stats) {
    if (ctx.kernel() != null && ctx.kernel().getContainerId() != null) {
      return ctx.kernel().getContainerId();
    }
    if (stats != null
        && !"cgroup".equals(stats.getRuntime())
        && !"systemd".equals(stats.getRuntime())) {
      return stats.getId();
    }
    return null;
  }

  private static Long limit(KernelOomSample k, ContainerStats before, ContainerStats died) {
    if (k != null && k.getMemLimitKb() != null) {
      return k.getMemLimitKb() * 1024;
    }
    for (ContainerStats s : new ContainerStats[] {before, died}) {
      if (s != null && s.getMemoryLimitBytes() != null) {
        return s.getMemoryLimitBytes();
      }
      if (s != null && s.getEngineMemoryLimitBytes() != null && s.getEngineMemoryLimitBytes() > 0) {
        return s.getEngineMemoryLimitBytes();
      }
    }
    return null;
  }

  private static Long usage(KernelOomSample k, List<Observation> obs, long killMs) {
    if (k != null && k.getMemUsageKb() != null) {
      return k.getMemUsageKb() * 1024;
    }
    Long best = null;
    for (Observation o : obs) {
      ContainerStats s = o.stats();
      Long u = s.getMemoryPeakBytes() != null ? s.getMemoryPeakBytes() : s.getMemoryUsageBytes();
      if (u != null && (best == null || u > best)) {
        best = u;
      }
    }
    return best;
  }

  private static Long rss(KernelOomSample k) {
    if (k == null || k.getAnonRssKb() == null) {
      return null;
    }
    long kb = k.getAnonRssKb();
    kb += k.getFileRssKb() == null ? 0 : k.getFileRssKb();
    kb += k.getShmemRssKb() == null ? 0 : k.getShmemRssKb();
    return kb * 1024;
  }

  /**
   * The sample telling the heap ceiling of the JVM that was killed. The JVM is the one whose pid is
   * the victim's, as the newest sample up to the kill shows it; else, for a victim named java or an
   * engine-only kill, the container's only JVM (or the one with the largest ceiling). Of all
   * samples of that same JVM (pid and start time), the one with the best heap source wins, the
   * newest among equals: a process that is exiting shows an empty command line and its files
   * vanish, so the sample taken at the kill may tell less than those before it, never more.
   */
  private static Seen victimJvm(List<Observation> obs, long killMs, Integer pid, String name) {
    Observation anchor = null;
    JvmInfo anchorJvm = null;
    JvmInfo largest = null;
    Observation largestFrom = null;
    for (int i = obs.size() - 1; i >= 0; i--) {
      Observation o = obs.get(i);
      for (JvmInfo j : o.stats().getJvms()) {
        if (pid != null
            && j.getPid() == pid
            && (anchor == null || (anchor.timeMs() > killMs && o.timeMs() <= killMs))) {
          anchor = o;
          anchorJvm = j;
        }
        if (largest == null
            || (j.getMaxHeapBytes() != null
                && (largest.getMaxHeapBytes() == null
                    || j.getMaxHeapBytes() > largest.getMaxHeapBytes()))) {
          largest = j;
          largestFrom = o;
        }
      }
    }
    if (anchor == null) {
      boolean mayBeJvm = pid == null || "java".equals(name);
      if (!mayBeJvm || largest == null) {
        return null;
      }
      anchor = largestFrom;
      anchorJvm = largest;
    }
    Observation best = anchor;
    JvmInfo bestJvm = anchorJvm;
    for (int i = obs.size() - 1; i >= 0; i--) {
      Observation o = obs.get(i);
      JvmInfo j = jvmOf(o, anchorJvm.getPid());
      if (j != null && sameProcess(o, j, anchor, anchorJvm) && heapRank(j) > heapRank(bestJvm)) {
        best = o;
        bestJvm = j;
      }
    }
    return new Seen(bestJvm, best);
  }

  /** A JVM as one sample showed it. */
  private record Seen(JvmInfo jvm, Observation from) {}

  /** The JVM with this pid in a sample, or null. */
  private static JvmInfo jvmOf(Observation o, int pid) {
    for (JvmInfo j : o.stats().getJvms()) {
      if (j.getPid() == pid) {
        return j;
      }
    }
    return null;
  }

  /**
   * Whether two samples show the same process: same pid and start time; for samples without a start
   * time (older collectors), same pid in the same run of the container.
   */
  private static boolean sameProcess(Observation a, JvmInfo ja, Observation b, JvmInfo jb) {
    if (ja.getPid() != jb.getPid()) {
      return false;
    }
    if (ja.getStartTimeTicks() != null && jb.getStartTimeTicks() != null) {
      return ja.getStartTimeTicks().equals(jb.getStartTimeTicks());
    }
    Long sa = a.stats().getStartedAtMs();
    Long sb = b.stats().getStartedAtMs();
    return sa == null || sb == null || sa.equals(sb);
  }

  /**
   * How much a heap figure can be trusted: the JVM's own performance data, then an explicit {@code
   * -Xmx}, then a percentage of the limit the flags set, then the JVM's defaults (which depend on
   * flags and RAM the read may have missed), then nothing.
   */
  static int heapRank(JvmInfo j) {
    if (j.getMaxHeapBytes() == null) {
      return 0;
    }
    return switch (j.getHeapSource()) {
      case "hsperfdata" -> 5;
      case "cmdline-xmx" -> 4;
      case "cmdline-maxrampercentage" -> 3;
      case "default-host-ram", "default-container" -> 2;
      default -> 1;
    };
  }

  /** The newest resident size of the same process in the samples, or null. */
  private static Long newestRss(List<Observation> obs, Observation from, JvmInfo jvm) {
    for (int i = obs.size() - 1; i >= 0; i--) {
      JvmInfo j = jvmOf(obs.get(i), jvm.getPid());
      if (j != null && j.getRssBytes() != null && sameProcess(obs.get(i), j, from, jvm)) {
        return j.getRssBytes();
      }
    }
    return null;
  }

  private static Observation firstWithUsage(List<Observation> obs, long killMs) {
    for (Observation o : obs) {
      if (o.timeMs() <= killMs && o.stats().getMemoryUsageBytes() != null) {
        return o;
      }
    }
    return null;
  }

  /** Last minus first value of a cgroup counter over the samples; null when unknown or reset. */
  private static Long delta(
      List<Observation> obs, java.util.function.Function<ContainerStats, Long> field) {
    Long first = null;
    Long last = null;
    for (Observation o : obs) {
      Long v = field.apply(o.stats());
      if (v != null) {
        if (first == null) {
          first = v;
        }
        last = v;
      }
    }
    if (first == null || last < first) {
      return null;
    }
    return last - first;
  }

  private static ContainerStats latestWithEngine(List<Observation> obs) {
    for (int i = obs.size() - 1; i >= 0; i--) {
      if (obs.get(i).hasEngine()) {
        return obs.get(i).stats();
      }
    }
    return null;
  }

  private static <T> T firstNonNull(T a, T b) {
    return a != null ? a : b;
  }
}
