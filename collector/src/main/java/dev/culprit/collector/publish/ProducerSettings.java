package dev.culprit.collector.publish;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The collector's Kafka producer configuration; every non-default setting says why. */
final class ProducerSettings {

  private ProducerSettings() {}

  /**
   * The producer properties.
   *
   * @param overrides set last, so an operator can change any of them (at their own risk for the
   *     delivery guarantees)
   */
  static Map<String, Object> of(
      String bootstrapServers, String clientId, Map<String, String> overrides) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Names the host in broker logs and quotas.
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    // Records are encoded before they enter the spool, so the producer moves bytes.
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // The broker discards the producer's own retries of a batch: an outage creates no duplicates.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A record leaves the spool only when every in-sync replica has it.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Measured on real samples (SpoolBench): zstd makes a cycle's batch 2.2x smaller than lz4 (6x
    // when a backlog drains) at the same speed. zstd-jni loads its native library from
    // java.io.tmpdir: where that is mounted noexec, override compression.type=lz4.
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    // A cycle's records are published within a millisecond: 20 ms makes them one request.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // send() blocks for metadata while the broker is down at start; keep the sender responsive.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
    // Let the producer retry one window across a long outage: its retries keep their sequence
    // numbers and the broker de-duplicates them, whereas our re-send after an expiry could not be.
    // The collector notices the outage after NOTICE_AFTER by itself (KafkaPublisher).
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    // KIP-714 client-metrics push: nothing in culprit subscribes to it, and its reporter loads
    // about 70 classes (shaded protobuf, OpenTelemetry) and polls the broker for subscriptions —
    // 2 MiB of the agent's RSS (collector/BENCH-collector.md, Memory).
    p.put(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, false);
    p.putAll(overrides);
    return p;
  }
}
