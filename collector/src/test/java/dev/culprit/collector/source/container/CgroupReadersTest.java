package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.spi.NoDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupReadersTest {

  private static final String ID =
      "1043cb870907fe525148a8686f98e46f2a76557e163ab3428ffcec724b8f6b4a";

  @TempDir Path dir;

  /** A v1 hierarchy with one memory group of this limit, usage and oom_control. */
  private CgroupTree v1MemoryGroup(String group, String limit, String usage, String oomControl) {
    return CgroupTree.v1(dir)
        .file("memory/" + group + "/memory.limit_in_bytes", limit)
        .file("memory/" + group + "/memory.usage_in_bytes", usage)
        .file("memory/" + group + "/memory.oom_control", oomControl);
  }

  private CgroupCounters read(String cgroup) throws Exception {
    return CgroupReader.forLayout(CgroupLayout.detect(dir)).read(cgroup);
  }

  @Test
  void detectsTheHybridV1LayoutWithSeparateCpuAndCpuacct() throws Exception {
    CgroupTree.v1(dir);
    CgroupLayout layout = CgroupLayout.detect(dir);

    assertThat(layout.version()).isEqualTo(1);
    assertThat(layout.memoryRoot()).isEqualTo(dir.resolve("memory"));
    assertThat(layout.cpuRoot()).isEqualTo(dir.resolve("cpu"));
    assertThat(layout.cpuacctRoot()).isEqualTo(dir.resolve("cpuacct"));
  }

  @Test
  void detectsTheCombinedCpuCpuacctMount() throws Exception {
    new CgroupTree(dir)
        .file("cpu,cpuacct/cpu.cfs_quota_us", "-1")
        .file("cpu,cpuacct/cpuacct.usage", "1");
    CgroupLayout layout = CgroupLayout.detect(dir);

    assertThat(layout.memoryRoot()).isNull();
    assertThat(layout.cpuRoot()).isEqualTo(dir.resolve("cpu,cpuacct"));
    assertThat(layout.cpuacctRoot()).isEqualTo(dir.resolve("cpu,cpuacct"));
  }

  @Test
  void detectsV2AndReportsNoDataWithoutAnyController() throws Exception {
    assertThatThrownBy(() -> CgroupLayout.detect(dir)).isInstanceOf(NoDataException.class);
    new CgroupTree(dir).file("cgroup.controllers", "cpuset cpu io memory pids");
    assertThat(CgroupLayout.detect(dir).version()).isEqualTo(2);
  }

  @Test
  void readsEveryV1CounterOfADockerContainer() throws Exception {
    CgroupTree.v1(dir).v1Group("/docker/" + ID, 67108864L, 10000L);
    CgroupCounters c = read("/docker/" + ID);

    assertThat(c)
        .isEqualTo(
            new CgroupCounters(
                1,
                67108864L,
                67108864L,
                67108864L,
                63L,
                1L,
                null, // v1 has no oom counter
                66000000L, // hierarchical total_rss
                8192L,
                134217728L,
                10000L,
                100000L,
                400000000L,
                40L,
                36L,
                3_240_000_000L,
                List.of(20206, 20210)));
  }

  @Test
  void oneMalformedValueLosesOnlyThatFieldNotTheCgroupsOtherCounters() throws Exception {
    v1MemoryGroup("culprit-b", "lots", "4096", "oom_kill_disable 0\nunder_oom\noom_kill 2")
        .file("memory/culprit-b/memory.failcnt", "18446744073709551615");
    CgroupCounters c = read("/culprit-b");

    assertThat(c.memoryLimitBytes()).as("not a number: dropped").isNull();
    assertThat(c.memoryUsageBytes()).isEqualTo(4096L);
    assertThat(Long.toUnsignedString(c.memoryFailcnt())).isEqualTo("18446744073709551615");
    assertThat(c.oomKillCount()).as("the line after a malformed one").isEqualTo(2L);
  }

  @Test
  void leavesAbsentV1FilesNullNotZero() throws Exception {
    // An old kernel without oom_kill in oom_control, no swap accounting, no cpu controller group.
    v1MemoryGroup("culprit-a", "9223372036854771712", "4096", "oom_kill_disable 0\nunder_oom 0");
    CgroupCounters c = read("/culprit-a");

    assertThat(c.memoryLimitBytes()).as("unlimited").isNull();
    assertThat(c.memoryUsageBytes()).isEqualTo(4096L);
    assertThat(c.oomKillCount()).isNull();
    assertThat(c.memoryFailcnt()).isNull();
    assertThat(c.swapLimitBytes()).isNull();
    assertThat(c.cpuQuotaUs()).isNull();
    assertThat(c.cpuPeriods()).isNull();
    assertThat(c.pids()).isEmpty();
  }

  @Test
  void readsEveryV2CounterAndMaxAsUnlimited() throws Exception {
    String scope = "/system.slice/docker-" + ID + ".scope";
    new CgroupTree(dir)
        .file("cgroup.controllers", "cpu memory pids")
        .file(scope.substring(1) + "/memory.max", "67108864")
        .file(scope.substring(1) + "/memory.current", "67100000")
        .file(scope.substring(1) + "/memory.peak", "67108864")
        .file(
            scope.substring(1) + "/memory.events",
            "low 0\nhigh 0\nmax 120\noom 2\noom_kill 1\noom_group_kill 0")
        .file(scope.substring(1) + "/memory.stat", "anon 66000000\nfile 12288\nkernel 400000")
        .file(scope.substring(1) + "/memory.swap.max", "max")
        .file(scope.substring(1) + "/cpu.max", "10000 100000")
        .file(
            scope.substring(1) + "/cpu.stat",
            "usage_usec 400000\nuser_usec 390000\nsystem_usec 10000\nnr_periods 40\n"
                + "nr_throttled 36\nthrottled_usec 3240000")
        .file(scope.substring(1) + "/cgroup.procs", "42\n");
    CgroupCounters c = read(scope);

    assertThat(c)
        .isEqualTo(
            new CgroupCounters(
                2,
                67108864L,
                67100000L,
                67108864L,
                120L,
                1L,
                2L,
                66000000L,
                12288L,
                null, // swap.max "max": unlimited
                10000L,
                100000L,
                400_000_000L,
                40L,
                36L,
                3_240_000_000L,
                List.of(42)));
  }

  @Test
  void readsAV2GroupWithoutLimitsOrCpuControllerAsNulls() throws Exception {
    // memory.peak arrived in 5.19; without the cpu controller there is no cpu.max and no periods.
    new CgroupTree(dir)
        .file("cgroup.controllers", "memory")
        .file("culprit-b/memory.max", "max")
        .file("culprit-b/memory.current", "8192")
        .file("culprit-b/cpu.stat", "usage_usec 10\nuser_usec 5\nsystem_usec 5");
    CgroupCounters c = read("/culprit-b");

    assertThat(c.memoryLimitBytes()).isNull();
    assertThat(c.memoryPeakBytes()).isNull();
    assertThat(c.memoryFailcnt()).isNull();
    assertThat(c.cpuQuotaUs()).isNull();
    assertThat(c.cpuPeriods()).isNull();
    assertThat(c.cpuUsageNs()).isEqualTo(10_000L);
  }

  @Test
  void saysTheCgroupIsGoneWhenItsDirectoryVanished() throws Exception {
    CgroupTree.v1(dir);
    CgroupReader reader = CgroupReader.forLayout(CgroupLayout.detect(dir));
    assertThatThrownBy(() -> reader.read("/docker/" + ID)).isInstanceOf(CgroupGoneException.class);
  }

  @Test
  void aMalformedKeyValueFileLosesOnlyItsOwnFields() throws Exception {
    CgroupTree.v1(dir)
        .v1Group("/docker/" + ID, 1L << 26, -1)
        .file("memory/docker/" + ID + "/memory.stat", "cache\n");
    CgroupCounters c = read("/docker/" + ID);

    assertThat(c.fileBytes()).isNull();
    assertThat(c.memoryLimitBytes()).isEqualTo(1L << 26);
  }

  @Test
  void scansContainersAndLimitedPlainCgroupsButNotUnlimitedOnes() throws Exception {
    String other = "0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53";
    CgroupTree.v1(dir)
        .v1Group("/docker/" + ID, 1L << 26, 10000)
        .file("memory/docker/memory.limit_in_bytes", "9223372036854771712")
        .file("memory/culprit-limited/memory.limit_in_bytes", "268435456")
        .file("memory/culprit-unlimited/memory.limit_in_bytes", "9223372036854771712")
        .file("memory/culprit-unlimited/inner/memory.limit_in_bytes", "1048576")
        .file("cpu/culprit-cpu-only/cpu.cfs_quota_us", "10000")
        .file("cpu/culprit-cpu-none/cpu.cfs_quota_us", "-1")
        .dir("cpu/docker/" + other);
    List<CgroupScanner.Entry> entries = new CgroupScanner(CgroupLayout.detect(dir)).scan();

    assertThat(entries)
        .extracting(CgroupScanner.Entry::cgroupPath)
        .containsExactlyInAnyOrder(
            "/docker/" + ID,
            "/culprit-limited",
            "/culprit-unlimited/inner",
            "/culprit-cpu-only",
            "/docker/" + other);
    assertThat(entries)
        .filteredOn(e -> e.cgroupPath().equals("/docker/" + ID))
        .singleElement()
        .satisfies(e -> assertThat(e.container()).contains(new ContainerRef("docker", ID)));
    assertThat(Files.exists(dir.resolve("memory/docker/" + ID))).isTrue();
  }
}
