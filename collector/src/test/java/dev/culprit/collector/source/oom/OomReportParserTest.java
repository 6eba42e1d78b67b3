package dev.culprit.collector.source.oom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OomReportParserTest {

  private static final String JAVA_512M_ID =
      "6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826";

  @Test
  void assemblesTheDockerJvmKillFromTheCurrentKernelFormat() throws Exception {
    List<OomReport> reports = parseKmsg("kmsg/docker_java_hostheap_512m.kmsg.txt");

    assertThat(reports).hasSize(1);
    OomReport r = reports.get(0);
    assertThat(r.kmsgSeq()).isEqualTo(1368);
    assertThat(r.kernelTimeUs()).isEqualTo(705882241L);
    assertThat(r.victimPid()).isEqualTo(32361);
    assertThat(r.victimName()).isEqualTo("java");
    assertThat(r.victimUid()).isZero();
    assertThat(r.constraint()).isEqualTo("CONSTRAINT_MEMCG");
    assertThat(r.isMemcgKill()).isTrue();
    assertThat(r.memcg()).isEqualTo("/docker/" + JAVA_512M_ID);
    assertThat(r.taskMemcg()).isEqualTo("/docker/" + JAVA_512M_ID);
    assertThat(r.totalVmKb()).isEqualTo(8986380L);
    assertThat(r.anonRssKb()).isEqualTo(521216L);
    assertThat(r.fileRssKb()).isEqualTo(20576L);
    assertThat(r.shmemRssKb()).isZero();
    assertThat(r.pgtablesKb()).isEqualTo(2192L);
    assertThat(r.oomScoreAdj()).isZero();
    assertThat(r.memUsageKb()).isEqualTo(524288L);
    assertThat(r.memLimitKb()).isEqualTo(524288L);
    assertThat(r.memFailcnt()).isEqualTo(65L);
    assertThat(r.invokedBy()).isEqualTo("java");
    assertThat(r.lines()).first().asString().startsWith("java invoked oom-killer");
    assertThat(r.lines())
        .last()
        .asString()
        .startsWith("Memory cgroup out of memory: Killed process 32361");
    assertThat(r.lines()).anyMatch(l -> l.contains("[  32361]"));
    assertThat(r.lines()).noneMatch(l -> l.startsWith("RIP:") || l.startsWith("total_rss"));
  }

  @Test
  void assemblesEveryCapturedKillWithItsMemcgAndUsageLine() throws Exception {
    record Expect(
        String file, int pid, String name, String memcgStart, long limitKb, long failcnt) {}
    List<Expect> expected =
        List.of(
            new Expect(
                "kmsg/docker_oom_sh_64m.kmsg.txt", 20206, "sh", "/docker/1043cb87", 65536, 63),
            new Expect(
                "kmsg/docker_child_oom_64m.kmsg.txt", 3586, "sh", "/docker/4b6313fb", 65536, 105),
            new Expect(
                "kmsg/podman_java_hostheap_256m.kmsg.txt",
                14958,
                "java",
                "/libpod_parent/libpod-f8aa21e9",
                262144,
                88),
            new Expect(
                "kmsg/podman_oom1_sh_64m.kmsg.txt",
                8321,
                "sh",
                "/libpod_parent/libpod-32ef781a",
                65536,
                92));
    for (Expect e : expected) {
      List<OomReport> reports = parseKmsg(e.file());
      assertThat(reports).as(e.file()).hasSize(1);
      OomReport r = reports.get(0);
      assertThat(r.victimPid()).as(e.file()).isEqualTo(e.pid());
      assertThat(r.victimName()).as(e.file()).isEqualTo(e.name());
      assertThat(r.memcg()).as(e.file()).startsWith(e.memcgStart());
      assertThat(r.memLimitKb()).as(e.file()).isEqualTo(e.limitKb());
      assertThat(r.memUsageKb()).as(e.file()).isEqualTo(e.limitKb());
      assertThat(r.memFailcnt()).as(e.file()).isEqualTo(e.failcnt());
      assertThat(r.constraint()).as(e.file()).isEqualTo("CONSTRAINT_MEMCG");
    }
  }

  @Test
  void readsTheSeedsOldKernelReportCutOffAfterKillProcess() {
    OomReportParser parser = new OomReportParser();
    List<OomReport> reports = new ArrayList<>();
    for (KmsgRecord r : DmesgParser.parse(Fixtures.text("seed/tomcat_oom.dmesg.txt"))) {
      reports.addAll(parser.accept(r));
    }
    assertThat(reports).as("no Killed process line yet").isEmpty();
    reports.addAll(parser.flush());

    assertThat(reports).hasSize(1);
    OomReport r = reports.get(0);
    String memcg = "/docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53";
    assertThat(r.victimPid()).isEqualTo(27281);
    assertThat(r.victimName()).isEqualTo("java");
    assertThat(r.constraint())
        .as("inferred from 'Memory cgroup out of memory'")
        .isEqualTo("CONSTRAINT_MEMCG");
    assertThat(r.memcg()).isEqualTo(memcg);
    assertThat(r.taskMemcg()).isEqualTo(memcg);
    assertThat(r.memUsageKb()).isEqualTo(524288L);
    assertThat(r.memLimitKb()).isEqualTo(524288L);
    assertThat(r.memFailcnt()).isEqualTo(77L);
    // From the victim's row of the task table (values in 4 KiB pages).
    assertThat(r.totalVmKb()).isEqualTo(1153302L * 4);
    assertThat(r.pgtablesKb()).isEqualTo(1466368L / 1024);
    assertThat(r.victimUid()).isZero();
    assertThat(r.anonRssKb()).as("the old table does not split rss").isNull();
    assertThat(r.kernelTimeUs()).isEqualTo(193038106574L);
  }

  // The reports below are built line by line from the printk formats of the kernels named, since no
  // machine here runs them; the real captures above cover kernel 6.x.

  @Test
  void takesTheSacrificedChildAsVictimOnKernelsBefore419() {
    List<OomReport> reports =
        feed(
            "bash invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0,"
                + " oom_score_adj=0",
            "Task in /docker/"
                + JAVA_512M_ID
                + " killed as a result of limit of /docker/"
                + JAVA_512M_ID,
            "memory: usage 65536kB, limit 65536kB, failcnt 12",
            "Memory cgroup out of memory: Kill process 100 (bash) score 900 or sacrifice child",
            "Killed process 101 (python) total-vm:200000kB, anon-rss:60000kB, file-rss:1000kB,"
                + " shmem-rss:0kB",
            "oom_reaper: reaped process 101 (python), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");

    assertThat(reports).hasSize(1);
    OomReport r = reports.get(0);
    assertThat(r.victimPid()).isEqualTo(101);
    assertThat(r.victimName()).isEqualTo("python");
    assertThat(r.constraint()).isEqualTo("CONSTRAINT_MEMCG");
    assertThat(r.anonRssKb()).isEqualTo(60000L);
    assertThat(r.shmemRssKb()).isZero();
    assertThat(r.victimUid()).isNull();
    assertThat(r.pgtablesKb()).isNull();
    assertThat(r.memFailcnt()).isEqualTo(12L);
  }

  @Test
  void readsAGlobalKillWithTheVictimsCgroupAndCommasInMemsAllowed() {
    String scope = "/system.slice/docker-" + JAVA_512M_ID + ".scope";
    List<OomReport> reports =
        feed(
            "stress-ng invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP),"
                + " order=0, oom_score_adj=1000",
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,2,"
                + "global_oom,task_memcg="
                + scope
                + ",task=stress-ng,pid=999,uid=1000",
            "Out of memory: Killed process 999 (stress-ng) total-vm:9000000kB, anon-rss:8000000kB,"
                + " file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:16000kB oom_score_adj:1000");

    assertThat(reports).hasSize(1);
    OomReport r = reports.get(0);
    assertThat(r.constraint()).isEqualTo("CONSTRAINT_NONE");
    assertThat(r.isMemcgKill()).isFalse();
    assertThat(r.memcg()).isNull();
    assertThat(r.taskMemcg()).isEqualTo(scope);
    assertThat(r.victimUid()).isEqualTo(1000);
    assertThat(r.oomScoreAdj()).isEqualTo(1000);
    assertThat(r.memUsageKb()).isNull();
  }

  @Test
  void infersAGlobalKillFromTheOldOutOfMemoryPrefix() {
    List<OomReport> reports =
        feed(
            "Out of memory: Kill process 555 (mysqld) score 800 or sacrifice child",
            "Killed process 555 (mysqld) total-vm:100kB, anon-rss:90kB, file-rss:0kB, shmem-rss:0kB");

    assertThat(reports)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.constraint()).isEqualTo("CONSTRAINT_NONE");
              assertThat(r.victimName()).isEqualTo("mysqld");
            });
  }

  @Test
  void keepsSpacesAndParenthesesInTaskNames() {
    List<OomReport> reports =
        feed(
            "C2 CompilerThre invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0,"
                + " oom_score_adj=0",
            "Memory cgroup out of memory: Killed process 7 (Web (Content)) total-vm:10kB,"
                + " anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");

    assertThat(reports)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.invokedBy()).isEqualTo("C2 CompilerThre");
              assertThat(r.victimName()).isEqualTo("Web (Content)");
            });
  }

  @Test
  void forgetsAReportThatKilledNothingWhenTheNextOneStarts() {
    List<OomReport> reports =
        feed(
            "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "memory: usage 100kB, limit 100kB, failcnt 1",
            "Out of memory and no killable processes...",
            "b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "Memory cgroup out of memory: Killed process 8 (b) total-vm:10kB, anon-rss:5kB,"
                + " file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");

    assertThat(reports)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.victimName()).isEqualTo("b");
              assertThat(r.memUsageKb()).as("not carried over from the first report").isNull();
            });
  }

  @Test
  void ignoresOrdinaryKernelMessages() {
    assertThat(
            feed(
                "cu-br0: port 1(cu-web-br) entered disabled state",
                "[ 1.0] not a task row",
                "Killed process is a phrase too"))
        .isEmpty();
  }

  static List<OomReport> parseKmsg(String resource) throws Exception {
    OomReportParser parser = new OomReportParser();
    List<OomReport> reports = new ArrayList<>();
    for (String line : Fixtures.text(resource).split("\n")) {
      if (!line.isBlank()) {
        reports.addAll(parser.accept(KmsgRecordParser.parse(line)));
      }
    }
    reports.addAll(parser.flush());
    return reports;
  }

  private static List<OomReport> feed(String... messages) {
    OomReportParser parser = new OomReportParser();
    List<OomReport> reports = new ArrayList<>();
    long seq = 1;
    for (String message : messages) {
      reports.addAll(parser.accept(KmsgRecord.of(seq, seq * 10, message)));
      seq++;
    }
    reports.addAll(parser.flush());
    return reports;
  }
}
