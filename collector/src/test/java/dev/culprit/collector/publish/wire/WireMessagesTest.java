package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in client's encodings checked against the Java Kafka client's own generated message
 * classes and record reader: what we write, Kafka reads back field for field; what Kafka writes
 * (with the tagged fields newer brokers add), we read.
 */
class WireMessagesTest {

  @Test
  void partitionsKeysExactlyAsTheJavaClientDoes() {
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      byte[] key = new byte[random.nextInt(40)];
      random.nextBytes(key);
      int partitions = 1 + random.nextInt(64);
      assertThat(Murmur2.hash(key)).isEqualTo(Utils.murmur2(key));
      assertThat(Murmur2.partition(key, partitions))
          .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % partitions);
    }
    byte[] host = "web-1.example".getBytes(StandardCharsets.UTF_8);
    assertThat(Murmur2.partition(host, 12)).isEqualTo(Utils.toPositive(Utils.murmur2(host)) % 12);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void recordBatchIsValidForKafkasReaderWithIdSequenceAndEveryRecord(Compression compression) {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long ts = i == 7 ? SpoolRecord.NO_TIMESTAMP : 1_700_000_000_000L + (i % 5) * 1000L - 2000L;
      records.add(SpoolRecord.of("culprit.samples.probe", ts, "host-" + (i % 3), value(i)));
    }
    byte[] batch =
        RecordBatchWriter.write(
            records,
            4242L,
            (short) 3,
            17,
            compression,
            compression == Compression.GZIP ? -1 : 3,
            1_800_000_000_000L);

    MemoryRecords read = MemoryRecords.readableRecords(ByteBuffer.wrap(batch));
    List<RecordBatch> batches = new ArrayList<>();
    read.batches().forEach(batches::add);
    assertThat(batches).hasSize(1);
    RecordBatch b = batches.get(0);
    b.ensureValid(); // CRC-32C and size
    assertThat(b.magic()).isEqualTo(RecordBatch.MAGIC_VALUE_V2);
    assertThat(b.producerId()).isEqualTo(4242L);
    assertThat(b.producerEpoch()).isEqualTo((short) 3);
    assertThat(b.baseSequence()).isEqualTo(17);
    assertThat(b.lastSequence()).isEqualTo(17 + 49);
    assertThat(b.isTransactional()).isFalse();
    assertThat(b.compressionType()).isEqualTo(kafkaType(compression));
    assertThat(b.maxTimestamp()).isEqualTo(1_800_000_000_000L);

    List<Record> got = new ArrayList<>();
    b.forEach(got::add);
    assertThat(got).hasSize(50);
    for (int i = 0; i < 50; i++) {
      Record r = got.get(i);
      assertThat(r.offset()).isEqualTo(i);
      assertThat(text(r.key())).isEqualTo("host-" + (i % 3));
      assertThat(bytes(r.value())).isEqualTo(value(i));
      assertThat(r.headers()).isEmpty();
      long expected = i == 7 ? 1_800_000_000_000L : records.get(i).timestampMs();
      assertThat(r.timestamp()).as("record %d", i).isEqualTo(expected);
    }
  }

  @Test
  void compressionShrinksRepetitiveSamples() {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(SpoolRecord.of("t", 1L, "host-1", value(i % 4)));
    }
    int plain = RecordBatchWriter.write(records, 1, (short) 0, 0, Compression.NONE, 0, 0).length;
    int zstd = RecordBatchWriter.write(records, 1, (short) 0, 0, Compression.ZSTD, 3, 0).length;
    int gzip = RecordBatchWriter.write(records, 1, (short) 0, 0, Compression.GZIP, -1, 0).length;
    assertThat(zstd).isLessThan(plain / 4);
    assertThat(gzip).isLessThan(plain / 4);
  }

  @Test
  void emptyBatchIsRefused() {
    assertThatThrownBy(
            () -> RecordBatchWriter.write(List.of(), 1, (short) 0, 0, Compression.NONE, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sequenceWrapsAfterIntMaxAsTheBrokerExpects() {
    assertThat(TransactionManager.advance(0, 5)).isEqualTo(5);
    assertThat(TransactionManager.advance(Integer.MAX_VALUE - 2, 2)).isEqualTo(Integer.MAX_VALUE);
    assertThat(TransactionManager.advance(Integer.MAX_VALUE - 2, 3)).isEqualTo(0);
    assertThat(TransactionManager.advance(Integer.MAX_VALUE, 10)).isEqualTo(9);
  }

  @ParameterizedTest
  @ValueSource(shorts = {9, 10, 11, 12})
  void produceRequestReadsBackInKafkasOwnClass(short version) {
    Map<String, Map<Integer, byte[]>> batches = new LinkedHashMap<>();
    byte[] b0 = batch(0);
    byte[] b2 = batch(2);
    batches.put("culprit.samples.interface", new LinkedHashMap<>(Map.of(0, b0)));
    batches.get("culprit.samples.interface").put(2, b2);
    batches.put("culprit.samples.protocol", Map.of(1, b0));
    WireWriter w = new WireWriter(64);
    ProduceMessage.writeRequest(w, 30_000, batches);

    ProduceRequestData d = new ProduceRequestData();
    d.read(new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), version);
    assertThat(d.transactionalId()).isNull();
    assertThat(d.acks()).isEqualTo((short) -1);
    assertThat(d.timeoutMs()).isEqualTo(30_000);
    assertThat(d.topicData())
        .extracting(ProduceRequestData.TopicProduceData::name)
        .containsExactly("culprit.samples.interface", "culprit.samples.protocol");
    ProduceRequestData.TopicProduceData first =
        d.topicData().find("culprit.samples.interface", Uuid.ZERO_UUID);
    assertThat(first.partitionData())
        .extracting(ProduceRequestData.PartitionProduceData::index)
        .containsExactly(0, 2);
    MemoryRecords records = (MemoryRecords) first.partitionData().get(1).records();
    assertThat(bytes(records.buffer())).isEqualTo(b2);
  }

  @ParameterizedTest
  @ValueSource(shorts = {9, 10, 11, 12})
  void produceResponseReadsWhatKafkaWritesIncludingTaggedFields(short version) throws Exception {
    ProduceResponseData d = new ProduceResponseData().setThrottleTimeMs(5);
    ProduceResponseData.TopicProduceResponse t =
        new ProduceResponseData.TopicProduceResponse().setName("culprit.samples.probe");
    t.partitionResponses()
        .add(
            new ProduceResponseData.PartitionProduceResponse()
                .setIndex(0)
                .setBaseOffset(77)
                .setLogStartOffset(12));
    ProduceResponseData.PartitionProduceResponse refused =
        new ProduceResponseData.PartitionProduceResponse()
            .setIndex(3)
            .setErrorCode(KafkaErrors.INVALID_RECORD)
            .setBaseOffset(-1)
            .setErrorMessage("bad records")
            .setRecordErrors(
                List.of(
                    new ProduceResponseData.BatchIndexAndErrorMessage()
                        .setBatchIndex(4)
                        .setBatchIndexErrorMessage("timestamp out of range"),
                    new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(9)));
    if (version >= 10) {
      refused.setCurrentLeader(
          new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(8));
      d.nodeEndpoints()
          .add(new ProduceResponseData.NodeEndpoint().setNodeId(2).setHost("b2").setPort(9092));
    }
    t.partitionResponses().add(refused);
    d.responses().add(t);

    ProduceMessage.Response response = ProduceMessage.readResponse(reader(d, version));
    assertThat(response.throttleTimeMs()).as("the quota's requested pause").isEqualTo(5);
    Map<String, Map<Integer, ProduceMessage.PartitionResult>> got = response.results();
    assertThat(got.get("culprit.samples.probe").get(0).errorCode()).isZero();
    assertThat(got.get("culprit.samples.probe").get(0).baseOffset()).isEqualTo(77);
    assertThat(got.get("culprit.samples.probe").get(0).logStartOffset()).isEqualTo(12);
    ProduceMessage.PartitionResult r = got.get("culprit.samples.probe").get(3);
    assertThat(r.errorCode()).isEqualTo(KafkaErrors.INVALID_RECORD);
    assertThat(r.badRecords()).containsExactly(4, 9);
    assertThat(r.message()).isEqualTo("bad records");
  }

  @ParameterizedTest
  @ValueSource(shorts = {9, 10, 11, 12})
  void metadataRequestAndResponseMatchKafkasClasses(short version) throws Exception {
    WireWriter w = new WireWriter(64);
    MetadataMessage.writeRequest(
        w, version, List.of("culprit.samples.qdisc", "culprit.samples.filter"));
    MetadataRequestData req = new MetadataRequestData();
    req.read(new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), version);
    assertThat(req.topics())
        .extracting(MetadataRequestData.MetadataRequestTopic::name)
        .containsExactly("culprit.samples.qdisc", "culprit.samples.filter");
    assertThat(req.allowAutoTopicCreation()).as("a metadata probe never creates a topic").isFalse();
    assertThat(req.includeTopicAuthorizedOperations()).isFalse();

    MetadataResponseData d = new MetadataResponseData().setClusterId("c1").setControllerId(1);
    d.brokers()
        .add(
            new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(1)
                .setHost("127.0.0.1")
                .setPort(9092)
                .setRack("r1"));
    d.brokers()
        .add(
            new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(2)
                .setHost("b2")
                .setPort(9093));
    MetadataResponseData.MetadataResponseTopic topic =
        new MetadataResponseData.MetadataResponseTopic()
            .setName("culprit.samples.qdisc")
            .setTopicId(Uuid.randomUuid());
    for (int p : new int[] {2, 0, 1}) { // out of order on purpose
      topic
          .partitions()
          .add(
              new MetadataResponseData.MetadataResponsePartition()
                  .setPartitionIndex(p)
                  .setLeaderId(p == 1 ? 2 : 1)
                  .setLeaderEpoch(4)
                  .setReplicaNodes(List.of(1, 2))
                  .setIsrNodes(List.of(1, 2))
                  .setOfflineReplicas(List.of()));
    }
    d.topics().add(topic);
    d.topics()
        .add(
            new MetadataResponseData.MetadataResponseTopic()
                .setName("culprit.samples.filter")
                .setErrorCode(KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION));

    MetadataMessage.Response r = MetadataMessage.readResponse(reader(d, version), version);
    assertThat(r.brokers()).containsOnlyKeys(1, 2);
    assertThat(r.brokers().get(2)).isEqualTo(new MetadataMessage.Broker(2, "b2", 9093));
    MetadataMessage.Topic qdisc = r.topics().get("culprit.samples.qdisc");
    assertThat(qdisc.partitions())
        .extracting(MetadataMessage.Partition::index)
        .containsExactly(0, 1, 2);
    assertThat(qdisc.partitions().get(1).leader()).isEqualTo(2);
    assertThat(r.topics().get("culprit.samples.filter").errorCode())
        .isEqualTo(KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION);
  }

  @ParameterizedTest
  @ValueSource(shorts = {2, 3, 4, 5})
  void initProducerIdMatchesKafkasClasses(short version) throws Exception {
    WireWriter w = new WireWriter(16);
    InitProducerIdMessage.writeRequest(w, version);
    InitProducerIdRequestData req = new InitProducerIdRequestData();
    req.read(new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), version);
    assertThat(req.transactionalId()).isNull();
    if (version >= 3) {
      assertThat(req.producerId()).isEqualTo(-1L);
      assertThat(req.producerEpoch()).isEqualTo((short) -1);
    }
    InitProducerIdResponseData d =
        new InitProducerIdResponseData().setProducerId(9001).setProducerEpoch((short) 2);
    InitProducerIdMessage.Response r = InitProducerIdMessage.readResponse(reader(d, version));
    assertThat(r).isEqualTo(new InitProducerIdMessage.Response((short) 0, 9001, (short) 2));
  }

  @Test
  void apiVersionsRequestAndResponseMatchKafkasClasses() throws Exception {
    WireWriter w = new WireWriter(16);
    ApiVersionsMessage.writeRequest(w, NetworkClient.softwareVersion());
    ApiVersionsRequestData req = new ApiVersionsRequestData();
    req.read(new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), (short) 3);
    assertThat(req.clientSoftwareName()).isEqualTo("culprit-collector");
    // The broker's check of the name's and version's characters: else INVALID_REQUEST.
    assertThat(new ApiVersionsRequest(req, (short) 3).isValid()).isTrue();

    ApiVersionsResponseData d = new ApiVersionsResponseData();
    d.apiKeys()
        .add(
            new ApiVersionsResponseData.ApiVersion()
                .setApiKey((short) 0)
                .setMinVersion((short) 3)
                .setMaxVersion((short) 13));
    d.apiKeys()
        .add(
            new ApiVersionsResponseData.ApiVersion()
                .setApiKey((short) 3)
                .setMinVersion((short) 0)
                .setMaxVersion((short) 10));
    d.apiKeys()
        .add(
            new ApiVersionsResponseData.ApiVersion()
                .setApiKey((short) 22)
                .setMinVersion((short) 6)
                .setMaxVersion((short) 7));
    d.supportedFeatures()
        .add(
            new ApiVersionsResponseData.SupportedFeatureKey()
                .setName("metadata.version")
                .setMinVersion((short) 1)
                .setMaxVersion((short) 20));
    d.setFinalizedFeaturesEpoch(5);
    ApiVersionsMessage.Response r = ApiVersionsMessage.readResponse(reader(d, (short) 3));
    assertThat(r.pick(ProduceMessage.KEY, (short) 9, (short) 12)).isEqualTo((short) 12);
    assertThat(r.pick(MetadataMessage.KEY, (short) 9, (short) 12)).isEqualTo((short) 10);
    assertThat(r.pick(InitProducerIdMessage.KEY, (short) 2, (short) 5))
        .as("broker's range starts above ours")
        .isEqualTo((short) -1);
    assertThat(r.pick((short) 99, (short) 0, (short) 1)).isEqualTo((short) -1);
  }

  @Test
  void everyTruncationOfAResponseIsAProtocolErrorNeverAnotherException() {
    MetadataResponseData d = new MetadataResponseData();
    d.brokers()
        .add(
            new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("h").setPort(1));
    MetadataResponseData.MetadataResponseTopic topic =
        new MetadataResponseData.MetadataResponseTopic().setName("t");
    topic
        .partitions()
        .add(new MetadataResponseData.MetadataResponsePartition().setReplicaNodes(List.of(1)));
    d.topics().add(topic);
    byte[] whole = bytes(serialize(d, (short) 12));
    for (int len = 0; len < whole.length; len++) {
      ByteBuffer cut = ByteBuffer.wrap(whole, 0, len).slice();
      assertThatThrownBy(() -> MetadataMessage.readResponse(new WireReader(cut), (short) 12))
          .as("first %d bytes", len)
          .isInstanceOf(WireProtocolException.class);
    }
  }

  @Test
  void aGarbledArrayLengthIsRefusedBeforeAnyAllocation() {
    WireWriter w = new WireWriter(16);
    w.uvarint(Integer.MAX_VALUE); // "2^31 - 2 elements"
    assertThatThrownBy(() -> new WireReader(ByteBuffer.wrap(w.toByteArray())).compactArrayLength())
        .isInstanceOf(WireProtocolException.class)
        .hasMessageContaining("elements in");
  }

  @Test
  void hostPortParsing() {
    assertThat(HostPort.parse("127.0.0.1:9092")).isEqualTo(new HostPort("127.0.0.1", 9092));
    assertThat(HostPort.parse("[::1]:9093")).isEqualTo(new HostPort("::1", 9093));
    assertThat(HostPort.parse(" broker-1.example:19092 "))
        .isEqualTo(new HostPort("broker-1.example", 19092));
    for (String bad : List.of("localhost", ":9092", "host:", "host:0", "host:99999", "host:x")) {
      assertThatThrownBy(() -> HostPort.parse(bad)).as(bad).hasMessageContaining("not host:port");
    }
  }

  @Test
  void saslHandshakeRequestAndResponseMatchKafkasClasses() throws Exception {
    WireWriter w = new WireWriter(32);
    SaslHandshakeMessage.writeRequest(w, "SCRAM-SHA-512");
    SaslHandshakeRequestData req = new SaslHandshakeRequestData();
    req.read(
        new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), SaslHandshakeMessage.VERSION);
    assertThat(req.mechanism()).isEqualTo("SCRAM-SHA-512");

    SaslHandshakeResponseData d =
        new SaslHandshakeResponseData()
            .setErrorCode((short) 33)
            .setMechanisms(List.of("PLAIN", "SCRAM-SHA-256"));
    SaslHandshakeMessage.Response r =
        SaslHandshakeMessage.readResponse(reader(d, SaslHandshakeMessage.VERSION));
    assertThat(r.errorCode()).isEqualTo((short) 33);
    assertThat(r.mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256");
  }

  @Test
  void saslAuthenticateRequestAndResponseMatchKafkasClasses() throws Exception {
    byte[] message = "n,,n=culprit-agent,r=abc".getBytes(StandardCharsets.UTF_8);
    WireWriter w = new WireWriter(32);
    SaslAuthenticateMessage.writeRequest(w, message);
    SaslAuthenticateRequestData req = new SaslAuthenticateRequestData();
    req.read(
        new ByteBufferAccessor(ByteBuffer.wrap(w.toByteArray())), SaslAuthenticateMessage.VERSION);
    assertThat(req.authBytes()).isEqualTo(message);

    SaslAuthenticateResponseData d =
        new SaslAuthenticateResponseData()
            .setErrorCode((short) 58)
            .setErrorMessage("Authentication failed")
            .setAuthBytes("r=abcdef".getBytes(StandardCharsets.UTF_8))
            .setSessionLifetimeMs(3_600_000);
    SaslAuthenticateMessage.Response r =
        SaslAuthenticateMessage.readResponse(reader(d, SaslAuthenticateMessage.VERSION));
    assertThat(r.errorCode()).isEqualTo((short) 58);
    assertThat(r.errorMessage()).isEqualTo("Authentication failed");
    assertThat(new String(r.authBytes(), StandardCharsets.UTF_8)).isEqualTo("r=abcdef");
  }

  private static byte[] batch(int seed) {
    return RecordBatchWriter.write(
        List.of(SpoolRecord.of("t", 1L, "k", value(seed))),
        1,
        (short) 0,
        seed,
        Compression.NONE,
        0,
        0);
  }

  private static byte[] value(int i) {
    return ("{\"sample\":" + i + ",\"counters\":[1,2,3,4,5,6,7,8]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static CompressionType kafkaType(Compression c) {
    return switch (c) {
      case NONE -> CompressionType.NONE;
      case GZIP -> CompressionType.GZIP;
      case ZSTD -> CompressionType.ZSTD;
    };
  }

  private static ByteBuffer serialize(Message m, short version) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    ByteBuffer buf = ByteBuffer.allocate(m.size(cache, version));
    m.write(new ByteBufferAccessor(buf), cache, version);
    buf.flip();
    return buf;
  }

  private static WireReader reader(Message m, short version) {
    return new WireReader(serialize(m, version));
  }

  private static String text(ByteBuffer b) {
    return new String(bytes(b), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
