package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The fixtures are real performance-data files of JDK 17.0.15 JVMs run on this machine kind; the
 * expected ceilings are what {@code java <same flags> -XX:+PrintFlagsFinal} printed as MaxHeapSize.
 */
class HsperfdataTest {

  @Test
  void sumsTheGenerationsOfTheSerialCollector() throws Exception {
    Hsperfdata data =
        Hsperfdata.parse(Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata"));

    assertThat(data.getString("sun.gc.policy.name")).contains("Copy:MSC");
    assertThat(data.maxHeapBytes()).hasValue(314572800L);
    assertThat(data.javaVersion()).contains("17.0.15");
    assertThat(data.vmArgs()).isEqualTo("-XX:+UseSerialGC -Xmx300m");
    assertThat(data.getLong("sun.rt.createVmBeginTime")).isPresent();
  }

  @Test
  void takesTheLargestGenerationOfG1WithoutItsPadding() throws Exception {
    Hsperfdata data = Hsperfdata.parse(Fixtures.bytes("hsperfdata/jdk17-g1-maxram75.hsperfdata"));

    assertThat(data.getString("sun.gc.policy.name")).contains("GarbageFirst");
    // G1 reports old = MaxHeapSize + 8 and young = MaxHeapSize + 24.
    assertThat(data.getLong("sun.gc.generation.1.maxCapacity")).hasValue(402653184L + 8);
    assertThat(data.maxHeapBytes()).hasValue(402653184L);
  }

  @Test
  void sumsTheGenerationsOfTheParallelCollector() throws Exception {
    Hsperfdata data =
        Hsperfdata.parse(Fixtures.bytes("hsperfdata/jdk17-parallel-default.hsperfdata"));

    assertThat(data.maxHeapBytes()).hasValue(6320816128L);
  }

  @Test
  void rejectsAFileWithABadMagicNumber() {
    byte[] bytes = Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata");
    bytes[0] = 0;
    assertThatThrownBy(() -> Hsperfdata.parse(bytes)).hasMessageContaining("bad magic");
  }

  @Test
  void rejectsAFileTheJvmHasNotFinishedCreating() {
    byte[] bytes = Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata");
    bytes[7] = 0;
    assertThatThrownBy(() -> Hsperfdata.parse(bytes)).hasMessageContaining("not finished");
  }

  @Test
  void rejectsTruncatedFilesAndCorruptEntries() {
    byte[] whole = Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata");
    assertThatThrownBy(() -> Hsperfdata.parse(Arrays.copyOf(whole, 16)))
        .hasMessageContaining("no prologue");
    assertThatThrownBy(() -> Hsperfdata.parse(Arrays.copyOf(whole, 4000)))
        .isInstanceOf(Hsperfdata.HsperfdataFormatException.class);
    byte[] corrupt = whole.clone();
    // First entry's length: little-endian file, entry at offset 32.
    ByteBuffer.wrap(corrupt).order(ByteOrder.LITTLE_ENDIAN).putInt(32, 3);
    assertThatThrownBy(() -> Hsperfdata.parse(corrupt)).hasMessageContaining("bad lengths");
  }
}
