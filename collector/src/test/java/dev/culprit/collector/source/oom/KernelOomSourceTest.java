package dev.culprit.collector.source.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.KernelOomSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.Fixtures;
import dev.culprit.collector.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelOomSourceTest {

  private static final long BOOT_EPOCH_MS = 1_795_140_000_000L;
  private static final Header HEADER =
      new Header("host-a", "", 1_795_849_500_000L, "c-1", "boot-1");
  private static final Netns HOST = new Netns("", 4026531840L, Path.of("/proc/1/ns/net"), 1, true);

  @TempDir Path dir;

  @Test
  void publishesOneKernelRecordPerKillWithTheContainerIdFromTheMemcg() throws Exception {
    try (KernelOomSource source = source(kmsg("kmsg/docker_java_hostheap_512m.kmsg.txt"))) {
      List<Sample> samples = awaitKill(source);

      assertThat(samples).hasSize(1);
      Sample sample = samples.get(0);
      assertThat(sample.topic()).isEqualTo(WireTopics.KERNEL);
      assertThat(sample.key()).isEqualTo("host-a");
      KernelOomSample k = (KernelOomSample) sample.value();
      assertThat(k.getHost()).isEqualTo("host-a");
      assertThat(k.getNetns()).isEmpty();
      assertThat(k.getSampleTimeMs()).isEqualTo(HEADER.sampleTimeMs());
      assertThat(k.getBootId()).isEqualTo("boot-1");
      assertThat(k.getKmsgSeq()).isEqualTo(1368);
      assertThat(k.getKernelTimeUs()).isEqualTo(705882241L);
      assertThat(k.getKillTimeMs()).isEqualTo(BOOT_EPOCH_MS + 705882L);
      assertThat(k.getVictimPid()).isEqualTo(32361);
      assertThat(k.getVictimName()).isEqualTo("java");
      assertThat(k.getConstraint()).isEqualTo("CONSTRAINT_MEMCG");
      assertThat(k.getContainerId())
          .isEqualTo("6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826");
      assertThat(k.getMemLimitKb()).isEqualTo(524288L);
      assertThat(k.getAnonRssKb()).isEqualTo(521216L);
      assertThat(k.getLines()).isNotEmpty();
      assertThat(collect(source)).as("each kill once").isEmpty();
    }
  }

  @Test
  void parsesPodmanContainerIdsToo() throws Exception {
    try (KernelOomSource source = source(kmsg("kmsg/podman_java_hostheap_256m.kmsg.txt"))) {
      List<Sample> samples = awaitKill(source);

      KernelOomSample k = (KernelOomSample) samples.get(0).value();
      assertThat(k.getContainerId())
          .isEqualTo("f8aa21e95ec7c9189ae50eee2d394e0b5ce7551b6a7928499e04a11b1e68b0df");
    }
  }

  @Test
  void reportsNoDataWhenThereIsNoKernelLog() {
    try (KernelOomSource source = source(dir.resolve("absent"))) {
      assertThatThrownBy(() -> source.collect(HOST, HEADER))
          .isInstanceOf(NoDataException.class)
          .hasMessageContaining("no kernel log device");
    }
  }

  /** A /dev/kmsg stand-in holding the recorded kernel log of one fixture. */
  private Path kmsg(String fixture) throws Exception {
    Path log = dir.resolve("kmsg");
    Files.writeString(log, Fixtures.text(fixture));
    return log;
  }

  private static List<Sample> awaitKill(KernelOomSource source) {
    return Poll.until(Duration.ofSeconds(10), "the kill", () -> nonEmpty(collect(source)));
  }

  private KernelOomSource source(Path devKmsg) {
    HostPaths paths = new HostPaths(dir, dir, dir, dir, devKmsg);
    // The fixture's kill happened 705 s after that boot; look back far enough to include it.
    return new KernelOomSource(
        paths, Duration.ofDays(1), () -> KernelClock.fixed(705_900_000L, BOOT_EPOCH_MS));
  }

  private static List<Sample> collect(KernelOomSource source) {
    try {
      return source.collect(HOST, HEADER);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> List<T> nonEmpty(List<T> list) {
    return list.isEmpty() ? null : list;
  }
}
