package dev.culprit.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** A protocol sample's counters go on the log by position and come back by name. */
class ProtocolCountersTest {

  private static final AvroSerde<ProtocolSample> SERDE = Topics.PROTOCOL.valueSerde();

  /** Every counter of the table with a distinct value, a few absent, and two the table lacks. */
  private static ProtocolSample sample() {
    Map<String, Long> counters = new TreeMap<>();
    List<String> names = ProtocolCounters.NAMES;
    for (int i = 0; i < names.size(); i++) {
      if (i % 7 != 3) {
        counters.put(names.get(i), i * 1_000_003L - 5);
      }
    }
    counters.put("Tcp.MaxConn", -1L);
    counters.put("TcpExt.SomeFutureCounter", 42L);
    counters.put("Zzz.Unknown", Long.MAX_VALUE);
    return ProtocolSample.newBuilder()
        .setHost("web-1")
        .setNetns("culprit-x")
        .setSampleTimeMs(1_700_000_000_000L)
        .setCollectorId("c1")
        .setBootId("b1")
        .setSeq(9)
        .setNetnsKind(NetnsKind.HOST)
        .setCounters(counters)
        .build();
  }

  @Test
  void everyCounterComesBackByNameAndTheCallersRecordIsUntouched() {
    ProtocolSample s = sample();
    Map<String, Long> before = new TreeMap<>(s.getCounters());
    byte[] bytes = SERDE.encode(s);
    assertThat(s.getCounters()).isEqualTo(before);
    assertThat(s.getCounterValues()).isNull();

    ProtocolSample back = SERDE.decode(bytes);
    assertThat(back).isEqualTo(s);
    assertThat(back.getCounters()).isEqualTo(before);
    assertThat(back.getCounterPresent()).isNull();
    assertThat(back.getCounterValues()).isNull();
    assertThat(JsonRenderer.toJson(back)).doesNotContain("counterValues", "counterPresent");
  }

  @Test
  void theCompactFormIsAFractionOfNameValuePairs() {
    ProtocolSample s = sample();
    int compact = SERDE.encode(s).length;
    int pairs = ProtocolCounters.NAMES.stream().mapToInt(n -> n.length() + 8).sum();
    assertThat(compact).isLessThan(pairs / 3);
  }

  @Test
  void recordsOfTheOldFormStillDecode() throws Exception {
    List<Schema> history = SchemaHistory.versions("ProtocolSample");
    Schema old = history.get(1); // v2: counters by name only
    assertThat(old.getField("counterValues")).isNull();
    GenericRecord r = OldRecords.withHeader(old, 1L, 1L);
    r.put("netnsKind", null);
    r.put("counters", Map.of("Tcp.RetransSegs", 12L, "TcpExt.ListenOverflows", 3L));
    byte[] bytes = OldRecords.encode(r);

    ProtocolSample back = SERDE.decode(bytes);
    assertThat(back.getCounters())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("Tcp.RetransSegs", 12L, "TcpExt.ListenOverflows", 3L));
    assertThat(back.getCounterValues()).isNull();
  }

  @Test
  void aRecordUsingPositionsBeyondTheTableIsRefusedNotTruncated() {
    ProtocolSample s = ProtocolCounters.pack(sample());
    byte[] bits = new byte[(ProtocolCounters.NAMES.size() + 8) / 8 + 1];
    int beyond = ProtocolCounters.NAMES.size();
    bits[beyond / 8] |= (byte) (1 << (beyond % 8));
    s.setCounterPresent(ByteBuffer.wrap(bits));
    s.setCounterValues(new ArrayList<>(List.of(5L)));
    byte[] bytes = SERDE.encode(s); // already compact: encoded as it is
    assertThatThrownBy(() -> SERDE.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("beyond this build's table");

    s.setCounterPresent(ByteBuffer.wrap(new byte[] {3}));
    s.setCounterValues(new ArrayList<>(List.of(5L)));
    byte[] short1 = SERDE.encode(s);
    assertThatThrownBy(() -> SERDE.decode(short1))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("marks more counters");
  }

  @Test
  void theNameTableOnlyGrowsAtItsEnd() {
    List<String> current = ProtocolCounters.NAMES;
    assertThat(current).doesNotHaveDuplicates().isNotEmpty();
    for (Schema version : SchemaHistory.versions("ProtocolSample")) {
      List<String> table = ProtocolCounters.names(version);
      assertThat(current.subList(0, Math.min(table.size(), current.size())))
          .as("counterNames of a past ProtocolSample version must be a prefix of the current one")
          .isEqualTo(table);
      assertThat(table.size()).isLessThanOrEqualTo(current.size());
    }
  }
}
