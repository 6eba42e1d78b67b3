package dev.culprit.collector.source.oom;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Assembles kernel OOM-kill reports from kernel log records fed in order, one report per kill. Not
 * thread-safe: one instance per log reader.
 *
 * <p>A report (mm/oom_kill.c {@code dump_header} + {@code __oom_kill_process}) on kernel 6.x:
 *
 * <pre>
 * java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
 * ... call trace, registers ...
 * memory: usage 524288kB, limit 524288kB, failcnt 65
 * Memory cgroup stats for /docker/6449ea46...:
 * Tasks state (memory values in pages):
 * [  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name
 * [  32361]     0 32361  2246595   135448   130304     5144         0  2244608        0             0 java
 * oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=...,mems_allowed=0,oom_memcg=/docker/6449...,task_memcg=/docker/6449...,task=java,pid=32361,uid=0
 * Memory cgroup out of memory: Killed process 32361 (java) total-vm:8986380kB, anon-rss:521216kB, file-rss:20576kB, shmem-rss:0kB, UID:0 pgtables:2192kB oom_score_adj:0
 * </pre>
 *
 * <p>Accepted variants: kernels before 4.19 print no {@code oom-kill:} line but {@code Task in X
 * killed as a result of limit of Y}, then {@code Memory cgroup out of memory: Kill process 27281
 * (java) score 1027 or sacrifice child} and a separate {@code Killed process ...} line (whose pid
 * may be a sacrificed child); kernels before 5.x lack {@code UID:} and {@code pgtables:}; global
 * kills say {@code Out of memory:} and {@code global_oom} instead of {@code oom_memcg=}; cgroup v2
 * prints {@code swap:} instead of {@code memory+swap:}. A report cut off after the old-style {@code
 * Kill process} line (as in the seed's copy) is completed by {@link #flush()}.
 */
public final class OomReportParser {

  private static final int MAX_KEY_LINES = 16;
  private static final int MAX_TASK_ROWS = 10_000;
  private static final int MAX_LINE_CHARS = 400;

  private static final Pattern INVOKED = Pattern.compile("^(.+?) invoked oom-killer: ");
  private static final Pattern MEMORY_USAGE =
      Pattern.compile("^memory: usage (\\d+)kB, limit (\\d+)kB, failcnt (\\d+)");
  private static final Pattern TASK_IN =
      Pattern.compile("^Task in (\\S+) killed as a result of limit of (\\S+)");
  private static final Pattern STATS_FOR = Pattern.compile("^Memory cgroup stats for (\\S+?):");
  private static final Pattern TASKS_HEADER = Pattern.compile("^\\[\\s*pid\\s*\\]\\s+(.*)$");
  private static final Pattern TASK_ROW = Pattern.compile("^\\[\\s*(\\d+)\\]\\s+(.*)$");
  private static final Pattern SUMMARY = Pattern.compile("^oom-kill:(.*)$");
  private static final Pattern SUMMARY_CONSTRAINT = Pattern.compile("constraint=([A-Z_]+)");
  private static final Pattern SUMMARY_OOM_MEMCG = Pattern.compile(",oom_memcg=(.*?),task_memcg=");
  private static final Pattern SUMMARY_TASK_MEMCG = Pattern.compile(",task_memcg=(.*?),task=");
  private static final Pattern SUMMARY_TASK =
      Pattern.compile(",task=(.*),pid=(\\d+),uid=(\\d+)\\s*$");
  private static final String PREFIX =
      "(?:(Memory cgroup out of memory|Out of memory(?: \\(oom_kill_allocating_task\\))?): )?";
  private static final Pattern KILLED =
      Pattern.compile(
          "^"
              + PREFIX
              + "Killed process (\\d+) \\((.*)\\) total-vm:(\\d+)kB, anon-rss:(\\d+)kB,"
              + " file-rss:(\\d+)kB(?:, shmem-rss:(\\d+)kB)?(?:,? UID:(\\d+))?"
              + "(?: pgtables:(\\d+)kB)?(?: oom_score_adj:(-?\\d+))?");
  private static final Pattern KILL_OLD =
      Pattern.compile(
          "^" + PREFIX + "Kill process (\\d+) \\((.*)\\) score (-?\\d+) or sacrifice child");

  private final long pageSizeKb;
  private Builder current;

  /** A parser for a host with 4 KiB pages (the task table counts pages). */
  public OomReportParser() {
    this(4);
  }

  /**
   * @param pageSizeKb the host's page size in KiB, to convert the task table's page counts
   */
  public OomReportParser(long pageSizeKb) {
    this.pageSizeKb = pageSizeKb;
  }

  /**
   * Feeds the next record.
   *
   * @return the reports this record completed: usually none, one when it names the victim, and
   *     occasionally a cut-off old-style report when a new report starts
   */
  public List<OomReport> accept(KmsgRecord record) {
    String msg = record.message();
    List<OomReport> done = new ArrayList<>(1);
    Matcher m;
    if ((m = INVOKED.matcher(msg)).find()) {
      flushInto(done);
      current = new Builder();
      current.invokedBy = m.group(1);
      current.keep(msg);
    } else if ((m = MEMORY_USAGE.matcher(msg)).find()) {
      Builder b = builder();
      b.memUsageKb = Long.parseLong(m.group(1));
      b.memLimitKb = Long.parseLong(m.group(2));
      b.memFailcnt = Long.parseLong(m.group(3));
      b.keep(msg);
    } else if ((m = TASK_IN.matcher(msg)).find()) {
      Builder b = builder();
      b.taskMemcg = m.group(1);
      b.memcg = m.group(2);
      b.keep(msg);
    } else if ((m = STATS_FOR.matcher(msg)).find()) {
      builder().statsFor = m.group(1);
    } else if ((m = TASKS_HEADER.matcher(msg)).find()) {
      builder().taskColumns = m.group(1).trim().split("\\s+");
    } else if ((m = TASK_ROW.matcher(msg)).find()) {
      builder().addTaskRow(Integer.parseInt(m.group(1)), m.group(2), msg);
    } else if ((m = SUMMARY.matcher(msg)).find()) {
      parseSummary(builder(), msg);
    } else if ((m = KILL_OLD.matcher(msg)).find()) {
      Builder b = builder();
      b.killPrefix = m.group(1);
      b.victimPid = Integer.parseInt(m.group(2));
      b.victimName = m.group(3);
      b.seq = record.seq();
      b.timeUs = record.timestampUs();
      b.pending = true;
      b.keep(msg);
    } else if ((m = KILLED.matcher(msg)).find()) {
      Builder b = builder();
      if (m.group(1) != null) {
        b.killPrefix = m.group(1);
      }
      b.victimPid = Integer.parseInt(m.group(2));
      b.victimName = m.group(3);
      b.totalVmKb = Long.parseLong(m.group(4));
      b.anonRssKb = Long.parseLong(m.group(5));
      b.fileRssKb = Long.parseLong(m.group(6));
      b.shmemRssKb = parseLong(m.group(7));
      Long uid = parseLong(m.group(8));
      if (uid != null) {
        b.victimUid = uid.intValue();
      }
      b.pgtablesKb = parseLong(m.group(9));
      Long adj = parseLong(m.group(10));
      if (adj != null) {
        b.oomScoreAdj = adj.intValue();
      }
      b.seq = record.seq();
      b.timeUs = record.timestampUs();
      b.keep(msg);
      done.add(b.build(pageSizeKb));
      current = null;
    }
    return done;
  }

  /**
   * Completes a report that named its victim only in the old {@code Kill process ... or sacrifice
   * child} form and never printed the {@code Killed process} line (a truncated copy).
   */
  public List<OomReport> flush() {
    List<OomReport> done = new ArrayList<>(1);
    flushInto(done);
    return done;
  }

  private void flushInto(List<OomReport> done) {
    if (current != null && current.pending) {
      done.add(current.build(pageSizeKb));
    }
    current = null;
  }

  private Builder builder() {
    // Copies of old reports often start after the "invoked oom-killer" line (the seed's does).
    if (current == null) {
      current = new Builder();
    }
    return current;
  }

  private static void parseSummary(Builder b, String msg) {
    Matcher m;
    if ((m = SUMMARY_CONSTRAINT.matcher(msg)).find()) {
      b.constraint = m.group(1);
    }
    if ((m = SUMMARY_OOM_MEMCG.matcher(msg)).find()) {
      b.memcg = m.group(1);
    }
    if ((m = SUMMARY_TASK_MEMCG.matcher(msg)).find()) {
      b.taskMemcg = m.group(1);
    }
    if ((m = SUMMARY_TASK.matcher(msg)).find()) {
      b.victimUid = Integer.parseInt(m.group(3));
    }
    b.keep(msg);
  }

  private static Long parseLong(String s) {
    return s == null ? null : Long.parseLong(s);
  }

  /** What one report has shown so far. */
  private static final class Builder {
    String invokedBy;
    Long memUsageKb;
    Long memLimitKb;
    Long memFailcnt;
    String memcg;
    String taskMemcg;
    String statsFor;
    String constraint;
    String killPrefix;
    String[] taskColumns;
    final Map<Integer, String[]> taskRows = new HashMap<>();
    final Map<Integer, String> taskRowText = new HashMap<>();
    Integer victimPid;
    String victimName;
    Integer victimUid;
    Long totalVmKb;
    Long anonRssKb;
    Long fileRssKb;
    Long shmemRssKb;
    Long pgtablesKb;
    Integer oomScoreAdj;
    long seq;
    long timeUs;
    boolean pending;
    final List<String> keyLines = new ArrayList<>();

    void keep(String line) {
      if (keyLines.size() < MAX_KEY_LINES) {
        keyLines.add(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) : line);
      }
    }

    void addTaskRow(int pid, String rest, String line) {
      if (taskColumns == null || taskRows.size() >= MAX_TASK_ROWS) {
        return;
      }
      // The last column (name) is the comm, which may contain spaces: split into at most n parts.
      String[] values = rest.trim().split("\\s+", taskColumns.length);
      if (values.length == taskColumns.length) {
        taskRows.put(pid, values);
        taskRowText.put(pid, line);
      }
    }

    OomReport build(long pageSizeKb) {
      String resolvedConstraint = constraint;
      if (resolvedConstraint == null && killPrefix != null) {
        // Kernels before 4.19 print no constraint; the kill line's prefix tells memcg from global.
        resolvedConstraint =
            killPrefix.startsWith("Memory cgroup")
                ? OomReport.CONSTRAINT_MEMCG
                : OomReport.CONSTRAINT_NONE;
      }
      fillFromTaskRow(pageSizeKb);
      String resolvedMemcg = memcg != null ? memcg : statsFor;
      if (taskRowText.containsKey(victimPid) && keyLines.size() < MAX_KEY_LINES) {
        keyLines.add(keyLines.size() > 0 ? keyLines.size() - 1 : 0, taskRowText.get(victimPid));
      }
      return new OomReport(
          seq,
          timeUs,
          victimPid,
          victimName,
          victimUid,
          resolvedConstraint,
          resolvedMemcg,
          taskMemcg,
          totalVmKb,
          anonRssKb,
          fileRssKb,
          shmemRssKb,
          pgtablesKb,
          oomScoreAdj,
          memUsageKb,
          memLimitKb,
          memFailcnt,
          invokedBy,
          keyLines);
    }

    /** Old reports name the victim without sizes: take them from its row in the task table. */
    private void fillFromTaskRow(long pageSizeKb) {
      String[] row = taskRows.get(victimPid);
      if (row == null) {
        return;
      }
      for (int i = 0; i < taskColumns.length; i++) {
        Long value = numeric(row[i]);
        if (value == null) {
          continue;
        }
        switch (taskColumns[i]) {
          case "uid" -> victimUid = victimUid != null ? victimUid : value.intValue();
          case "total_vm" -> totalVmKb = totalVmKb != null ? totalVmKb : value * pageSizeKb;
          case "rss_anon" -> anonRssKb = anonRssKb != null ? anonRssKb : value * pageSizeKb;
          case "rss_file" -> fileRssKb = fileRssKb != null ? fileRssKb : value * pageSizeKb;
          case "rss_shmem" -> shmemRssKb = shmemRssKb != null ? shmemRssKb : value * pageSizeKb;
          case "pgtables_bytes" -> pgtablesKb = pgtablesKb != null ? pgtablesKb : value / 1024;
          case "oom_score_adj" ->
              oomScoreAdj = oomScoreAdj != null ? oomScoreAdj : value.intValue();
          default -> {
            // rss (pages, anon + file undivided), swapents, tgid, nr_ptes: not in the record.
          }
        }
      }
    }

    private static Long numeric(String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
