package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class CgroupParsersTest {

  @Test
  void readsKeyValueFilesIncludingKeysOfNewerKernels() throws Exception {
    assertThat(
            FlatKeyedFileParser.parse(
                "cpu.stat",
                "nr_periods 40\nnr_throttled 36\nthrottled_time 3240000000\nnr_bursts 0\n\n"))
        .containsEntry("nr_periods", 40L)
        .containsEntry("nr_throttled", 36L)
        .containsEntry("throttled_time", 3_240_000_000L)
        .containsEntry("nr_bursts", 0L)
        .hasSize(4);
  }

  @Test
  void dropsAMalformedKeyValueLineButKeepsItsNeighbours() {
    assertThat(FlatKeyedFileParser.parse("memory.stat", "cache 0\nrss\nswap x\nmapped_file 7\n"))
        .containsExactly(entry("cache", 0L), entry("mapped_file", 7L));
  }

  @Test
  void readsCountersAsUnsigned64BitCarryingValuesFrom2To63AsTheSameBits() {
    var values =
        FlatKeyedFileParser.parse(
            "cpu.stat", "nr_periods 2000\nthrottled_time 18446744073709551615\n");

    assertThat(values.get("nr_periods")).isEqualTo(2000L);
    assertThat(Long.toUnsignedString(values.get("throttled_time")))
        .isEqualTo("18446744073709551615");
  }

  @Test
  void treatsV1PageCounterMaximumAsUnlimited() throws Exception {
    assertThat(CgroupValueParser.parseV1Limit("memory.limit_in_bytes", "9223372036854771712\n"))
        .isNull();
    // 64 KiB pages print a different maximum; still unlimited.
    assertThat(CgroupValueParser.parseV1Limit("memory.limit_in_bytes", "9223372036854710272"))
        .isNull();
    assertThat(CgroupValueParser.parseV1Limit("memory.limit_in_bytes", "536870912"))
        .isEqualTo(536870912L);
  }

  @Test
  void treatsMinusOneQuotaAndMaxAsUnlimited() throws Exception {
    assertThat(CgroupValueParser.parseV1Quota("cpu.cfs_quota_us", "-1")).isNull();
    assertThat(CgroupValueParser.parseV1Quota("cpu.cfs_quota_us", "10000")).isEqualTo(10000L);
    assertThat(CgroupValueParser.parseV2Max("memory.max", "max\n")).isNull();
    assertThat(CgroupValueParser.parseV2Max("memory.max", "67108864\n")).isEqualTo(67108864L);
    assertThat(CgroupValueParser.parseV2CpuMax("cpu.max", "max 100000\n"))
        .containsExactly(null, 100000L);
    assertThat(CgroupValueParser.parseV2CpuMax("cpu.max", "10000 100000"))
        .containsExactly(10000L, 100000L);
  }

  @Test
  void rejectsGarbageSingleValues() {
    assertThatThrownBy(() -> CgroupValueParser.parseV2CpuMax("cpu.max", "10000"))
        .hasMessageContaining("cpu.max");
    assertThatThrownBy(() -> CgroupValueParser.parseLong("memory.failcnt", ""))
        .isInstanceOf(CgroupFormatException.class);
  }

  @Test
  void recognisesContainersOfEveryRuntimeFromTheirCgroupPath() {
    String id = "6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826";
    assertThat(ContainerRef.fromCgroupPath("/docker/" + id))
        .contains(new ContainerRef("docker", id));
    assertThat(ContainerRef.fromCgroupPath("/system.slice/docker-" + id + ".scope"))
        .contains(new ContainerRef("docker", id));
    assertThat(
            ContainerRef.fromCgroupPath(
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-"
                    + id
                    + ".scope"))
        .contains(new ContainerRef("containerd", id));
    assertThat(ContainerRef.fromCgroupPath("/kubepods/burstable/pod9f3a/" + id))
        .contains(new ContainerRef("cri", id));
    assertThat(ContainerRef.fromCgroupPath("/kubepods.slice/x/crio-" + id + ".scope"))
        .contains(new ContainerRef("cri-o", id));
    assertThat(ContainerRef.fromCgroupPath("/libpod_parent/libpod-" + id))
        .contains(new ContainerRef("podman", id));
    assertThat(ContainerRef.fromCgroupPath("/machine.slice/libpod-" + id + ".scope"))
        .contains(new ContainerRef("podman", id));
  }

  @Test
  void doesNotMistakePlainCgroupsOrHelpersForContainers() {
    String id = "6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826";
    assertThat(ContainerRef.fromCgroupPath("/culprit-lab")).isEmpty();
    assertThat(ContainerRef.fromCgroupPath("/system.slice/docker.service")).isEmpty();
    assertThat(ContainerRef.fromCgroupPath("/machine.slice/libpod-conmon-" + id + ".scope"))
        .isEmpty();
    assertThat(ContainerRef.fromCgroupPath("/other/" + id)).as("bare id, unknown parent").isEmpty();
    assertThat(ContainerRef.fromCgroupPath("/docker/abc")).isEmpty();
    assertThat(ContainerRef.fromCgroupPath("")).isEmpty();
    assertThat(ContainerRef.fromCgroupPath(null)).isEmpty();
  }
}
