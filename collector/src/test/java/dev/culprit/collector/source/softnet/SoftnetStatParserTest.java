package dev.culprit.collector.source.softnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.SoftnetCpu;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftnetStatParserTest {

  private static List<SoftnetCpu> parse(String fixture) throws ParseException {
    return SoftnetStatParser.parse(fixture, Fixtures.text(fixture));
  }

  /**
   * A row's counters in the file's column order: processed, dropped, time squeeze, received RPS,
   * flow limit count, backlog length, input and process queue lengths.
   */
  private static List<Long> counters(SoftnetCpu c) {
    return Arrays.asList(
        c.getProcessed(),
        c.getDropped(),
        c.getTimeSqueeze(),
        c.getReceivedRps(),
        c.getFlowLimitCount(),
        c.getBacklogLen(),
        c.getInputQlen(),
        c.getProcessQlen());
  }

  @Test
  void readsEveryColumnOfThisMachines15ColumnLayout() throws Exception {
    List<SoftnetCpu> cpus = parse("real/host/proc-net-softnet_stat.txt");

    assertThat(cpus).extracting(SoftnetCpu::getCpu).containsExactly(0, 1);
    assertThat(counters(cpus.get(0))).containsExactly(0xf2c9L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
  }

  @Test
  void takesTheCpuFromTheKernelsIndexColumnAndIgnoresColumnsANewerKernelAppends() throws Exception {
    List<SoftnetCpu> cpus = parse("hostile/softnet_stat-newer-kernel.txt");

    // The second row is CPU 2: CPU 1 is offline, so the row position would misname it.
    assertThat(cpus).extracting(SoftnetCpu::getCpu).containsExactly(0, 2);
    assertThat(counters(cpus.get(0))).containsExactly(0x12d687L, 42L, 0x101L, 5L, 3L, 7L, 2L, 5L);
    assertThat(cpus.get(1).getDropped()).isEqualTo(1000L);
  }

  @Test
  void leavesWhatA9ColumnKernelLacksNullAndNumbersCpusByRow() throws Exception {
    List<SoftnetCpu> cpus = parse("hostile/softnet_stat-9-columns.txt");

    assertThat(cpus).extracting(SoftnetCpu::getCpu).containsExactly(0, 1);
    assertThat(cpus).extracting(SoftnetCpu::getDropped).containsExactly(16L, 17L);
    assertThat(cpus).extracting(SoftnetCpu::getTimeSqueeze).containsExactly(32L, 33L);
    assertThat(cpus.get(0).getReceivedRps()).isNull();
    assertThat(cpus.get(0).getFlowLimitCount()).isNull();
    assertThat(cpus.get(0).getBacklogLen()).isNull();
    assertThat(cpus.get(0).getInputQlen()).isNull();
  }

  @Test
  void readsRpsFrom10ColumnsAndTheFlowLimitFrom11() throws Exception {
    SoftnetCpu ten = parse("hostile/softnet_stat-10-columns.txt").get(0);
    SoftnetCpu eleven = parse("hostile/softnet_stat-11-columns.txt").get(0);

    assertThat(ten.getReceivedRps()).isEqualTo(4L);
    assertThat(ten.getFlowLimitCount()).isNull();
    assertThat(eleven.getFlowLimitCount()).isEqualTo(1L);
    assertThat(eleven.getBacklogLen()).isNull();
  }

  @Test
  void readsTheBacklogLengthAndCpuIndexOf13ColumnsButNoQueueLengths() throws Exception {
    SoftnetCpu cpu = parse("hostile/softnet_stat-13-columns.txt").get(0);

    assertThat(cpu.getBacklogLen()).isEqualTo(9L);
    assertThat(cpu.getCpu()).isEqualTo(3);
    assertThat(cpu.getInputQlen()).isNull();
    assertThat(cpu.getProcessQlen()).isNull();
  }

  @Test
  void rejectsAShortRowWithFileAndLine() {
    assertThatThrownBy(() -> parse("hostile/softnet_stat-short-row.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("softnet_stat-short-row.txt")
        .hasMessageContaining("3 columns")
        .satisfies(e -> assertThat(((ParseException) e).line()).isEqualTo(1));
  }

  @Test
  void rejectsANonHexValue() {
    assertThatThrownBy(() -> parse("hostile/softnet_stat-not-hex.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("0000000g");
  }

  @Test
  void rejectsAFileWithoutRows() {
    assertThatThrownBy(() -> parse("hostile/empty.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("no per-CPU rows");
  }
}
