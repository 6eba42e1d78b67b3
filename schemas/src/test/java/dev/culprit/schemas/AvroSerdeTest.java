package dev.culprit.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

  static List<Topic<?>> topics() {
    return Topics.all();
  }

  @ParameterizedTest
  @MethodSource("topics")
  void everyTopicRoundTripsRandomRecordsThroughItsSerde(Topic<?> topic) throws Exception {
    roundTrip(topic);
  }

  private static <V extends SpecificRecord> void roundTrip(Topic<V> topic) throws Exception {
    Schema schema = topic.valueSchema();
    BinaryMessageEncoder<Object> genericEncoder =
        new BinaryMessageEncoder<>(GenericData.get(), schema);
    int n = 0;
    for (Object random : new RandomData(schema, 25, 42L)) {
      // A compact form only the serde writes (ProtocolCounters) has rules random bytes break; its
      // round trip is ProtocolCountersTest's.
      for (Schema.Field f : schema.getFields()) {
        if (f.getObjectProp("culprit.logForm") != null) {
          ((org.apache.avro.generic.GenericRecord) random).put(f.pos(), null);
        }
      }
      ByteBuffer written = genericEncoder.encode(random);
      byte[] bytes = new byte[written.remaining()];
      written.get(bytes);

      V decoded = topic.valueSerde().deserialize(topic.name(), bytes);
      assertThat(decoded).isInstanceOf(topic.valueType());
      // Re-encoding and decoding again gives an equal record (maps may re-order on the wire),
      // and the same values the generic writer put in: nothing lost or altered.
      V again =
          topic
              .valueSerde()
              .deserialize(topic.name(), topic.valueSerde().serialize(topic.name(), decoded));
      assertThat(again).isEqualTo(decoded);
      assertThat(JsonRenderer.toJson((org.apache.avro.generic.IndexedRecord) decoded))
          .isEqualTo(JsonRenderer.toJson((org.apache.avro.generic.IndexedRecord) random));
      n++;
    }
    assertThat(n).isEqualTo(25);
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroSerde<RootCause> serde = Topics.ROOTCAUSE_OOM.valueSerde();
    assertThat(serde.serialize("t", null)).isNull();
    assertThat(serde.deserialize("t", null)).isNull();
  }

  @Test
  void recordsWrittenWithAnOlderSchemaDecodeIntoTheCurrentClass() throws Exception {
    // An "older" ProbeSample without the fields added later (protocol and the RTTs have defaults).
    Schema current = ProbeSample.getClassSchema();
    List<Schema.Field> oldFields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      if (!f.name().equals("protocol") && !f.name().startsWith("rtt")) {
        oldFields.add(new Schema.Field(f, f.schema()));
      }
    }
    Schema old =
        Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false);
    old.setFields(oldFields);

    GenericRecord oldRecord = OldRecords.withHeader(old, 1_000L, 7L);
    oldRecord.put("targetAddress", "192.168.0.30");
    oldRecord.put("targetPort", 80);
    oldRecord.put("sent", 10L);
    oldRecord.put("answered", 5L);
    byte[] bytes = OldRecords.encode(oldRecord);

    AvroSerde<ProbeSample> withoutOld = new AvroSerde<>(ProbeSample.class);
    assertThatThrownBy(() -> withoutOld.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("unknown schema");

    AvroSerde<ProbeSample> withOld = new AvroSerde<>(ProbeSample.class, List.of(old));
    ProbeSample decoded = withOld.decode(bytes);
    assertThat(decoded.getAnswered()).isEqualTo(5L);
    assertThat(decoded.getProtocol()).isEqualTo("tcp-connect");
    assertThat(decoded.getRttAvgMs()).isNull();
  }

  @Test
  void garbageBytesFailWithAClearError() {
    AvroSerde<InterfaceSample> serde = Topics.INTERFACE.valueSerde();
    assertThatThrownBy(() -> serde.decode(new byte[0]))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("cannot decode InterfaceSample")
        .hasMessageContaining("(empty)");
    assertThatThrownBy(() -> serde.decode("{\"host\":\"x\"}".getBytes()))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("not Avro single-object encoding");

    byte[] random = new byte[64];
    new Random(1).nextBytes(random);
    random[0] = (byte) 0xC3;
    random[1] = 0x01;
    assertThatThrownBy(() -> serde.decode(random))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("unknown schema");
  }

  @Test
  void aTruncatedBodyOfAKnownSchemaFailsWithAClearError() {
    AvroSerde<RootCause> serde = Topics.ROOTCAUSE_PACKET_LOSS.valueSerde();
    RootCause cause =
        RootCause.newBuilder()
            .setEventId("e")
            .setHost("web-1")
            .setNetns("")
            .setWindowStartMs(0)
            .setWindowEndMs(10_000)
            .setCause(Cause.QDISC_LOSS)
            .setLayer(Layer.QDISC)
            .setLocation("eth0 netem 800d:")
            .setConfidence(0.9)
            .setEvidence(Map.of("drops", 4L))
            .setSummary("s")
            .setRemediation("tc qdisc del dev eth0 root netem loss 30%")
            .build();
    byte[] whole = serde.encode(cause);
    assertThat(serde.decode(whole)).isEqualTo(cause);
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 20);
    assertThatThrownBy(() -> serde.decode(truncated)).isInstanceOf(RecordDecodeException.class);
  }
}
