package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapErgonomicsTest {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final long HOST = 24 * GIB;

  @Test
  void reproducesTheSeedsTwoGigabyteHeapOfAnOldJdk8InA512MiBContainer() {
    // The seed: JDK 8 before 8u191 ignores the cgroup limit and takes 25 % of the host's RAM;
    // its PrintFlagsFinal said MaxHeapSize := 2092957696 (1996 MiB) on a host with 7984 MiB.
    HeapEstimate e =
        HeapErgonomics.estimate(JvmOptions.parse(List.of()), "1.8.0_181", 512 * MIB, 7984 * MIB);

    assertThat(e.maxHeapBytes()).isEqualTo(2092957696L);
    assertThat(e.source()).isEqualTo(HeapEstimate.DEFAULT_HOST_RAM);
  }

  @Test
  void sizesAContainerAwareJvmFromTheLimit() {
    // PrintFlagsFinal with -XX:MaxRAM=256m / 512m / 1g: 132120576 / 134217728 / 268435456.
    assertThat(defaultHeap("17.0.15", 256 * MIB)).isEqualTo(132120576L);
    assertThat(defaultHeap("17.0.15", 512 * MIB)).isEqualTo(134217728L);
    assertThat(defaultHeap("1.8.0_191", GIB)).isEqualTo(268435456L);
    // Small limits: MinRAMPercentage (50 %) applies; PrintFlagsFinal with MaxRAM=64m: 33554432.
    assertThat(defaultHeap(null, 64 * MIB)).isEqualTo(33554432L);
    assertThat(HeapErgonomics.estimate(JvmOptions.parse(List.of()), "17", 256 * MIB, HOST).source())
        .isEqualTo(HeapEstimate.DEFAULT_CONTAINER);
  }

  @Test
  void usesHostRamWhenContainerSupportIsOffOrThereIsNoLimit() {
    HeapEstimate off =
        HeapErgonomics.estimate(
            JvmOptions.parse(List.of("-XX:-UseContainerSupport")), "17.0.15", 256 * MIB, HOST);
    assertThat(off.maxHeapBytes()).isEqualTo(6 * GIB);
    assertThat(off.source()).isEqualTo(HeapEstimate.DEFAULT_HOST_RAM);
    assertThat(off.flags()).containsExactly("-XX:-UseContainerSupport");

    HeapEstimate unlimited = HeapErgonomics.estimate(JvmOptions.parse(List.of()), "17", null, HOST);
    assertThat(unlimited.source()).isEqualTo(HeapEstimate.DEFAULT_HOST_RAM);
  }

  @Test
  void takesAnExplicitXmxAsIs() {
    HeapEstimate e =
        HeapErgonomics.estimate(
            JvmOptions.parse(List.of("-Xms64m", "-Xmx2g")), "17", 256 * MIB, HOST);
    assertThat(e.maxHeapBytes()).isEqualTo(2 * GIB);
    assertThat(e.source()).isEqualTo(HeapEstimate.CMDLINE_XMX);
    assertThat(e.flags()).containsExactly("-Xmx2g");
  }

  @Test
  void appliesMaxRamPercentageToTheLimit() {
    // PrintFlagsFinal with -XX:MaxRAMPercentage=75 -XX:MaxRAM=512m: 402653184.
    HeapEstimate e =
        HeapErgonomics.estimate(
            JvmOptions.parse(List.of("-XX:MaxRAMPercentage=75")), "17", 512 * MIB, HOST);
    assertThat(e.maxHeapBytes()).isEqualTo(402653184L);
    assertThat(e.source()).isEqualTo(HeapEstimate.CMDLINE_MAX_RAM_PERCENTAGE);
  }

  @Test
  void knowsWhichJdkVersionsAreContainerAware() {
    assertThat(HeapErgonomics.isContainerAwareVersion("1.8.0_181")).isFalse();
    assertThat(HeapErgonomics.isContainerAwareVersion("1.8.0_191")).isTrue();
    assertThat(HeapErgonomics.isContainerAwareVersion("1.8.0_362-b09")).isTrue();
    assertThat(HeapErgonomics.isContainerAwareVersion("1.7.0_80")).isFalse();
    assertThat(HeapErgonomics.isContainerAwareVersion("9.0.4")).isFalse();
    assertThat(HeapErgonomics.isContainerAwareVersion("10")).isTrue();
    assertThat(HeapErgonomics.isContainerAwareVersion("21.0.2")).isTrue();
    assertThat(HeapErgonomics.isContainerAwareVersion(null)).isTrue();
  }

  private static long defaultHeap(String version, long limit) {
    return HeapErgonomics.estimate(JvmOptions.parse(List.of()), version, limit, HOST)
        .maxHeapBytes();
  }
}
