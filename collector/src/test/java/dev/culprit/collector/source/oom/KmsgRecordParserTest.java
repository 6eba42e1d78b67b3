package dev.culprit.collector.source.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KmsgRecordParserTest {

  @Test
  void parsesPrioritySequenceTimestampAndMessage() throws Exception {
    KmsgRecord r =
        KmsgRecordParser.parse(
            "3,1368,705882241,-;Memory cgroup out of memory: Killed process 32361 (java)\n");

    assertThat(r.priority()).isEqualTo(3);
    assertThat(r.level()).isEqualTo(3);
    assertThat(r.seq()).isEqualTo(1368);
    assertThat(r.timestampUs()).isEqualTo(705882241L);
    assertThat(r.message()).isEqualTo("Memory cgroup out of memory: Killed process 32361 (java)");
    assertThat(r.dictionary()).isEmpty();
  }

  @Test
  void keepsContinuationLinesAsDictionary() throws Exception {
    KmsgRecord r =
        KmsgRecordParser.parse("6,1,5,-;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\n");

    assertThat(r.message()).isEqualTo("usb 1-1: new device");
    assertThat(r.dictionary()).containsExactly("SUBSYSTEM=usb", "DEVICE=c189:1");
  }

  @Test
  void ignoresExtraPrefixFieldsOfNewerKernels() throws Exception {
    KmsgRecord r = KmsgRecordParser.parse("4,99,123,c,caller=T42;hello; world");

    assertThat(r.seq()).isEqualTo(99);
    assertThat(r.message()).isEqualTo("hello; world");
  }

  @Test
  void rejectsARecordWithoutPrefixNamingTheReason() {
    assertThatThrownBy(() -> KmsgRecordParser.parse("no prefix here"))
        .isInstanceOf(KmsgRecordParser.KmsgFormatException.class)
        .hasMessageContaining("no ';'");
    assertThatThrownBy(() -> KmsgRecordParser.parse("6,x,1,-;msg"))
        .hasMessageContaining("non-numeric");
    assertThatThrownBy(() -> KmsgRecordParser.parse("6,1;msg"))
        .hasMessageContaining("got 2 fields");
  }
}
