package dev.culprit.collector.source.oom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class DmesgParserTest {

  @Test
  void splitsTheSeedsRunTogetherLinesAtEveryTimestamp() {
    List<KmsgRecord> records = DmesgParser.parse(Fixtures.text("seed/tomcat_oom.dmesg.txt"));

    assertThat(records).hasSize(8);
    assertThat(records.get(0).message()).startsWith("Task in /docker/0f2b3fcdd257");
    assertThat(records.get(0).timestampUs()).isEqualTo(193038106468L);
    assertThat(records.get(1).message())
        .isEqualTo("memory: usage 524288kB, limit 524288kB, failcnt 77");
    assertThat(records.get(6).message())
        .isEqualTo("[27281] 0 27281 1153302 134371 1466368 0 0 java");
    // The copy ends inside the next stamp ("[193038.1"): that fragment is not part of the message.
    assertThat(records.get(7).message())
        .isEqualTo(
            "Memory cgroup out of memory: Kill process 27281 (java) score 1027 or sacrifice child");
  }

  @Test
  void readsOneLinePerRecordWithShortFractions() {
    List<KmsgRecord> records = DmesgParser.parse("[    1.5] first\n[   12.000250] second\n");

    assertThat(records)
        .extracting(KmsgRecord::timestampUs)
        .containsExactly(1_500_000L, 12_000_250L);
    assertThat(records).extracting(KmsgRecord::message).containsExactly("first", "second");
  }

  @Test
  void returnsNothingForTextWithoutTimestamps() {
    assertThat(DmesgParser.parse("no kernel log here")).isEmpty();
  }
}
