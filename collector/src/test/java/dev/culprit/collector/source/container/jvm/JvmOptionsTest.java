package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

  @Test
  void readsOnlyTheOptionsBeforeTheMainClass() {
    JvmOptions o =
        JvmOptions.fromProcess(
            null,
            null,
            List.of("/jdk/bin/java", "-cp", "/app", "-Xmx512m", "Alloc", "-Xmx9g"),
            null);

    assertThat(o.maxHeapBytes()).isEqualTo(512L << 20);
    assertThat(o.flags()).containsExactly("-Xmx512m");
  }

  @Test
  void appliesHotspotPrecedenceAcrossEnvironmentAndCommandLine() {
    JvmOptions o =
        JvmOptions.fromProcess(
            "-Xmx1g -XX:MaxRAMPercentage=50",
            "-Xmx2g",
            List.of("java", "-Xmx3g", "-jar", "app.jar", "-Xmx99g"),
            "-XX:-UseContainerSupport");

    assertThat(o.maxHeapBytes()).isEqualTo(3L << 30);
    assertThat(o.maxRamPercentage()).isEqualTo(50.0);
    assertThat(o.useContainerSupport()).isFalse();
    assertThat(o.flags())
        .containsExactly(
            "-Xmx1g", "-XX:MaxRAMPercentage=50", "-Xmx2g", "-Xmx3g", "-XX:-UseContainerSupport");
  }

  @Test
  void readsSizesPercentagesFractionsAndMaxRam() {
    JvmOptions o =
        JvmOptions.parse(
            List.of(
                "-XX:MaxHeapSize=268435456",
                "-XX:MaxRAMFraction=4",
                "-XX:MinRAMPercentage=60.5",
                "-XX:MaxRAM=1G",
                "-XX:+UseContainerSupport"));

    assertThat(o.maxHeapBytes()).isEqualTo(268435456L);
    assertThat(o.maxRamPercentage()).isEqualTo(25.0);
    assertThat(o.minRamPercentage()).isEqualTo(60.5);
    assertThat(o.maxRamBytes()).isEqualTo(1L << 30);
    assertThat(o.useContainerSupport()).isTrue();
  }

  @Test
  void ignoresMalformedSizesInsteadOfGuessing() {
    assertThat(JvmOptions.size("12q")).isNull();
    assertThat(JvmOptions.size("")).isNull();
    assertThat(JvmOptions.size("99999999999t")).isNull();
    assertThat(JvmOptions.size("1024k")).isEqualTo(1L << 20);
    assertThat(JvmOptions.parse(List.of("-Xmxlots")).maxHeapBytes()).isNull();
  }
}
