package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.publish.spool.Spool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigTest {

  @TempDir Path proc;

  @Test
  void defaultsToTheKernelHostnameAFreshCollectorIdAndFiveSecondCycles() throws Exception {
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.writeString(proc.resolve("sys/kernel/hostname"), "web-17\n");
    HostPaths paths = new HostPaths(proc, proc, proc, proc, proc);

    CollectorConfig a = CollectorConfig.builder().hostPaths(paths).build();
    CollectorConfig b = CollectorConfig.builder().hostPaths(paths).build();

    assertThat(a.hostId()).isEqualTo("web-17");
    assertThat(a.collectorId()).isNotEqualTo(b.collectorId());
    assertThat(a.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(a.sourceTimeout()).isEqualTo(Duration.ofMillis(3750));
    assertThat(a.spoolMaxBytes()).isEqualTo(Spool.DEFAULT_MAX_BYTES);
    assertThat(a.enabledSources()).isEmpty();
  }

  @Test
  void theDefaultSourceTimeoutFollowsTheInterval() {
    CollectorConfig config =
        CollectorConfig.builder().hostId("h").interval(Duration.ofSeconds(1)).build();

    assertThat(config.sourceTimeout()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void refusesATimeoutLongerThanTheIntervalAndATooShortInterval() {
    assertThatThrownBy(
            () ->
                CollectorConfig.builder()
                    .hostId("h")
                    .interval(Duration.ofSeconds(1))
                    .sourceTimeout(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most the interval");
    assertThatThrownBy(
            () -> CollectorConfig.builder().hostId("h").interval(Duration.ofMillis(10)).build())
        .hasMessageContaining("shorter than the minimum");
  }
}
