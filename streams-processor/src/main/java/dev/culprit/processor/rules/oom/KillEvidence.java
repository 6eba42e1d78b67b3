package dev.culprit.processor.rules.oom;

import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.Layer;
import java.util.List;

/**
 * The evidence every OOM cause shares (the kill, the limit, the counters, the engine's view) and
 * the note when the engine's {@code OOMKilled} disagrees with the kernel.
 */
final class KillEvidence {

  private KillEvidence() {}

  /** A builder for a cause of this kill, with the shared evidence filled in. */
  static CauseBuilder builder(KillFacts f, Cause cause) {
    var k = f.kernel;
    String identity =
        k != null
            ? "kmsg " + k.getBootId() + " " + k.getKmsgSeq() + " " + k.getKillTimeMs()
            : "engine " + f.context.killTimeMs();
    long start =
        f.growthFromMs != null
            ? Math.min(f.growthFromMs, f.context.killTimeMs())
            : f.context.killTimeMs();
    CauseBuilder b =
        CauseBuilder.ofContainer(f.context.host(), cause, Layer.MEMORY, f.location, identity)
            .netns(f.name)
            .container(
                f.containerId != null ? f.containerId : emptyToNull(f.context.containerKey()))
            .window(start, f.context.killTimeMs() + 1)
            .evidence("killTimeMs", f.context.killTimeMs())
            .evidence("limitBytes", f.limitBytes)
            .evidence("usageAtKillBytes", f.usageAtKillBytes)
            .evidence("victimPid", f.victimPid)
            .evidence("victimName", f.victimName)
            .evidence("victimRssBytes", f.victimRssBytes)
            .evidence("failcntDelta", f.failcntDelta)
            .evidence("oomKillDelta", f.oomKillDelta)
            .evidence("exitCode", f.exitCode)
            .evidence("engineOomKilled", f.engineOomKilled)
            .evidence("engineState", f.engineState)
            .evidence("samplesBeforeKill", (long) f.samplesBefore);
    if (k != null) {
      b.evidence("constraint", k.getConstraint())
          .evidence("memcg", k.getMemcg())
          .evidence("kernelFailcnt", k.getMemFailcnt())
          .evidence("victimAnonRssBytes", k.getAnonRssKb() == null ? null : k.getAnonRssKb() * 1024)
          .evidence("victimFileRssBytes", k.getFileRssKb() == null ? null : k.getFileRssKb() * 1024)
          .evidence("victimTotalVmBytes", k.getTotalVmKb() == null ? null : k.getTotalVmKb() * 1024)
          .evidence("kmsgSeq", k.getKmsgSeq());
    }
    if (f.pod != null) {
      f.pod.addTo(b);
    }
    if (f.before != null) {
      b.evidence("image", f.before.getImage()).evidence("runtime", f.before.getRuntime());
    }
    String note = engineNote(f);
    b.evidence("engineNote", note);
    return b;
  }

  /**
   * Adds the JVM's heap ceiling, where it came from and which sample (time, trigger) told it, so a
   * reader can check that the figure was not a dying process's degraded read.
   */
  static CauseBuilder withJvm(CauseBuilder b, KillFacts f) {
    if (f.jvm == null) {
      return b;
    }
    return b.evidence("jvmPid", f.jvm.getPid())
        .evidence("maxHeapBytes", f.jvm.getMaxHeapBytes())
        .evidence("heapSource", f.jvm.getHeapSource())
        .evidence(
            "jvmFlags", f.jvm.getFlags().isEmpty() ? null : String.join(" ", f.jvm.getFlags()))
        .evidence("jvmVersion", f.jvm.getVersion())
        .evidence("jvmRssBytes", f.jvmRssBytes)
        .evidence("heapSampleTimeMs", f.jvmSample.timeMs())
        .evidence(
            "heapSampleTrigger", f.jvmSample.trigger() == null ? "periodic" : f.jvmSample.trigger())
        .evidence(
            "heapFromEarlierRead",
            Boolean.TRUE.equals(f.jvm.getHeapFromEarlierRead()) ? true : null);
  }

  /**
   * When the engine's {@code OOMKilled} does not say what the kernel says: true with exit code 0
   * means a child was killed while the main process went on and exited normally; false after a
   * kernel kill is podman 4.x's bug or a victim the engine did not track.
   */
  static String engineNote(KillFacts f) {
    if (f.engineOomKilled == null) {
      return null;
    }
    if (f.engineOomKilled && f.exitCode != null && f.exitCode == 0 && !isRunning(f)) {
      return "the engine says OOMKilled with exit code 0: "
          + f.victim()
          + " was a child process; the container's main process survived it and exited normally";
    }
    if (f.engineOomKilled && isRunning(f)) {
      return "the container is still running: " + f.victim() + " was not its main process";
    }
    if (!f.engineOomKilled && f.kernel != null) {
      return "the engine says OOMKilled=false although the kernel killed "
          + f.victim()
          + " in this container (podman 4 never sets it)";
    }
    return null;
  }

  private static boolean isRunning(KillFacts f) {
    return "running".equals(f.engineState);
  }

  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** " Note: …" appended to a summary when the engine disagrees. */
  static String noteSuffix(KillFacts f) {
    String note = engineNote(f);
    return note == null ? "" : " Note: " + note + ".";
  }

  /**
   * The fix that raises the container's limit, with {@code advice} beside it. {@code docker update}
   * talks to the engine, so it runs on the host whatever the container's namespaces.
   */
  static Fix raiseLimit(KillFacts f, long newLimit, String advice) {
    if (f.containerId != null && f.name != null) {
      String size = Bytes.flag(newLimit);
      return Fixes.command(
          Fixes.host(),
          List.of("docker", "update", "--memory", size, "--memory-swap", size, f.name),
          advice + " (this command raises the limit)");
    }
    return Fixes.advice(
        Fixes.host(), advice + "; raise the cgroup's memory limit to " + Bytes.human(newLimit));
  }
}
