package dev.culprit.collector.source.oom;

import java.util.List;
import java.util.Objects;

/**
 * One kernel OOM kill, assembled from the lines of its report. Null means the kernel did not print
 * it (older kernels lack the {@code oom-kill:} summary line and the UID / pgtables fields).
 *
 * @param kmsgSeq sequence number of the record that named the victim
 * @param kernelTimeUs its timestamp, microseconds since boot
 * @param victimPid pid of the killed process
 * @param victimName its comm
 * @param victimUid its uid
 * @param constraint CONSTRAINT_MEMCG, CONSTRAINT_NONE, ...; inferred from the "Memory cgroup out of
 *     memory" / "Out of memory" prefix on kernels that print no constraint
 * @param memcg the memory cgroup whose limit was hit
 * @param taskMemcg the victim's own memory cgroup
 * @param totalVmKb total-vm
 * @param anonRssKb anon-rss
 * @param fileRssKb file-rss
 * @param shmemRssKb shmem-rss
 * @param pgtablesKb pgtables
 * @param oomScoreAdj oom_score_adj
 * @param memUsageKb the memcg's "memory: usage"
 * @param memLimitKb the memcg's "memory: ... limit"
 * @param memFailcnt the memcg's "memory: ... failcnt"
 * @param invokedBy comm of the task that invoked the OOM killer
 * @param lines the report's key lines, for evidence
 */
public record OomReport(
    long kmsgSeq,
    long kernelTimeUs,
    int victimPid,
    String victimName,
    Integer victimUid,
    String constraint,
    String memcg,
    String taskMemcg,
    Long totalVmKb,
    Long anonRssKb,
    Long fileRssKb,
    Long shmemRssKb,
    Long pgtablesKb,
    Integer oomScoreAdj,
    Long memUsageKb,
    Long memLimitKb,
    Long memFailcnt,
    String invokedBy,
    List<String> lines) {

  /** The constraint of a kill inside a memory cgroup's limit. */
  public static final String CONSTRAINT_MEMCG = "CONSTRAINT_MEMCG";

  /** The constraint of a global (whole-host) OOM kill. */
  public static final String CONSTRAINT_NONE = "CONSTRAINT_NONE";

  public OomReport {
    Objects.requireNonNull(victimName, "victimName");
    lines = List.copyOf(lines);
  }

  /** Whether the kill enforced a memory cgroup limit (as opposed to the host running out). */
  public boolean isMemcgKill() {
    return CONSTRAINT_MEMCG.equals(constraint);
  }
}
