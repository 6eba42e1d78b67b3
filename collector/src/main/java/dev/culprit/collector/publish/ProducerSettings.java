package dev.culprit.collector.publish;

import dev.culprit.collector.publish.wire.Compression;
import dev.culprit.collector.publish.wire.SaslCredentials;
import dev.culprit.collector.publish.wire.TlsSettings;
import dev.culprit.collector.publish.wire.WireProducer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The collector's Kafka producer configuration, every non-default setting with its reason, and
 * which client carries it: the built-in one ({@link WireTransport}) when it does everything the
 * settings ask, else the Java client.
 */
final class ProducerSettings {

  /** Settings the built-in client takes as they are. */
  private static final Set<String> WIRE_USES =
      Set.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          ProducerConfig.CLIENT_ID_CONFIG,
          ProducerConfig.COMPRESSION_TYPE_CONFIG,
          ProducerConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
          ProducerConfig.COMPRESSION_GZIP_LEVEL_CONFIG,
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
          ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
          ProducerConfig.RETRY_BACKOFF_MS_CONFIG,
          ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
          ProducerConfig.ACKS_CONFIG,
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
          SaslConfigs.SASL_MECHANISM,
          SaslConfigs.SASL_JAAS_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
          SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
          SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
          SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
          SslConfigs.SSL_KEY_PASSWORD_CONFIG,
          SslConfigs.SSL_PROTOCOL_CONFIG,
          SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG,
          SslConfigs.SSL_CIPHER_SUITES_CONFIG,
          SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

  /**
   * Settings that shape the Java client's own batching and buffering; the built-in client sends
   * each spool window whole, one at a time, so they have nothing to change there.
   */
  private static final Set<String> WIRE_MOOT =
      Set.of(
          ProducerConfig.LINGER_MS_CONFIG,
          ProducerConfig.MAX_BLOCK_MS_CONFIG,
          ProducerConfig.BATCH_SIZE_CONFIG,
          ProducerConfig.BUFFER_MEMORY_CONFIG,
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
          ProducerConfig.RETRIES_CONFIG,
          CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG);

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
    // Java client: one request in flight per broker, as the built-in client sends one window at a
    // time. With more, a request that reaches a broker before it has applied a new partition (a
    // topic just created, partitions just added) fails while the next one to that partition is
    // appended, and the broker refuses every retry of the first as out of order until the delivery
    // timeout expires it (a defect of Kafka's brokers): a five-minute stall of that window.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    // Measured on real samples (SpoolBench): zstd makes a cycle's batch 2.2x smaller than lz4 (6x
    // when a backlog drains) at the same speed. zstd-jni loads its native library from
    // java.io.tmpdir: where that is mounted noexec, override compression.type=gzip.
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    // Java client: a cycle's records are published within a millisecond: 20 ms makes them one
    // request. (The built-in client sends a spool window as one request anyway.)
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // Java client: send() blocks for metadata while the broker is down at start; keep the sender
    // responsive.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
    // Retry one window across a long outage under the same producer id: the retries keep their
    // sequence numbers and the broker de-duplicates them, whereas our re-send after an expiry
    // could not be. The collector notices the outage after NOTICE_AFTER by itself (SpoolSender).
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    // KIP-714 client-metrics push: nothing in culprit subscribes to it, and its reporter loads
    // about 70 classes (shaded protobuf, OpenTelemetry) and polls the broker for subscriptions —
    // 2 MiB of the agent's RSS with the Java client.
    p.put(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, false);
    p.putAll(overrides);
    return p;
  }

  /**
   * Why the built-in client cannot carry {@code props}, or null when it can: a setting it does not
   * have (SASL mechanisms other than PLAIN and SCRAM, a PEM key store, lz4, a partitioner, …) or a
   * value that weakens the guarantees it gives. SASL with PLAIN or SCRAM-SHA-256/512, over TCP or
   * TLS, stays on the built-in client: most clusters require authentication and encryption, and the
   * Java client costs the agent about 20 MiB more.
   */
  static String wireRefusal(Map<String, Object> props) {
    for (Map.Entry<String, Object> e : props.entrySet()) {
      String key = e.getKey();
      if (!WIRE_USES.contains(key) && !WIRE_MOOT.contains(key)) {
        return "setting " + key;
      }
    }
    String security = securityProtocol(props);
    if (!Set.of("PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL").contains(security)) {
      return CommonClientConfigs.SECURITY_PROTOCOL_CONFIG + "=" + security;
    }
    if (security.startsWith("SASL_")) {
      String why = saslRefusal(props);
      if (why != null) {
        return why;
      }
    }
    if (security.endsWith("SSL")) {
      String why = tlsRefusal(props);
      if (why != null) {
        return why;
      }
    }
    String acks = text(props, ProducerConfig.ACKS_CONFIG, "all");
    if (!acks.equals("all") && !acks.equals("-1")) {
      return ProducerConfig.ACKS_CONFIG + "=" + acks;
    }
    if (!Boolean.parseBoolean(text(props, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"))) {
      return ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG + "=false";
    }
    String compression = text(props, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    if (!Set.of("none", "gzip", "zstd").contains(compression.toLowerCase(Locale.ROOT))) {
      return ProducerConfig.COMPRESSION_TYPE_CONFIG + "=" + compression;
    }
    for (String serializer :
        List.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
      Object v = props.get(serializer);
      String name = v instanceof Class<?> c ? c.getName() : String.valueOf(v);
      if (v != null && !name.equals(ByteArraySerializer.class.getName())) {
        return serializer + "=" + name;
      }
    }
    return null;
  }

  /**
   * The built-in client's settings from {@code props} (which {@link #wireRefusal} accepted).
   *
   * @throws IllegalArgumentException naming a malformed value
   */
  static WireProducer.Settings wire(Map<String, Object> props) {
    String security = securityProtocol(props);
    Compression compression =
        Compression.of(text(props, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"));
    int level =
        switch (compression) {
          case ZSTD ->
              integer(
                  props,
                  ProducerConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
                  Compression.ZSTD_DEFAULT_LEVEL);
          case GZIP -> integer(props, ProducerConfig.COMPRESSION_GZIP_LEVEL_CONFIG, -1);
          default -> 0;
        };
    List<String> bootstrap =
        Arrays.stream(text(props, ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    long retryBackoff = integer(props, ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
    return new WireProducer.Settings(
        bootstrap,
        text(props, ProducerConfig.CLIENT_ID_CONFIG, "culprit-collector"),
        compression,
        level,
        integer(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000),
        integer(props, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
        retryBackoff,
        Math.max(retryBackoff, integer(props, ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000)),
        security.startsWith("SASL_") ? saslCredentials(props) : null,
        security.endsWith("SSL") ? tls(props) : null);
  }

  /**
   * Why the built-in client cannot set up TLS as {@code props} ask, or null when it can: key and
   * trust stores in files (JKS or PKCS12, or a PEM trust store of CA certificates), hostname
   * checked or not. A PEM key store, certificates given inline and other engines are the Java
   * client's.
   */
  private static String tlsRefusal(Map<String, Object> props) {
    String trustType = text(props, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "JKS");
    if (!Set.of("JKS", "PKCS12", "PEM").contains(trustType.toUpperCase(Locale.ROOT))) {
      return SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG + "=" + trustType;
    }
    String keyType = text(props, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "JKS");
    if (!Set.of("JKS", "PKCS12").contains(keyType.toUpperCase(Locale.ROOT))) {
      return SslConfigs.SSL_KEYSTORE_TYPE_CONFIG + "=" + keyType;
    }
    String identification =
        text(props, SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
    if (!identification.isEmpty() && !identification.equalsIgnoreCase("https")) {
      return SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG + "=" + identification;
    }
    return null;
  }

  /**
   * The TLS settings of {@code props}, as the Java client reads them: no trust store means the
   * JDK's trusted certificates; {@code ssl.endpoint.identification.algorithm} empty turns the
   * broker name check off; TLS 1.2 and 1.3 unless {@code ssl.enabled.protocols} says otherwise;
   * passwords trimmed. What the Java client refuses, this refuses too, so that falling back to it
   * (a broker too old for this client) cannot fail later.
   *
   * @throws IllegalArgumentException naming the setting of a store that cannot be read or a
   *     combination the Java client refuses
   */
  private static TlsSettings tls(Map<String, Object> props) {
    TlsSettings.Store trust = store(props, "ssl.truststore");
    TlsSettings.Store keys = store(props, "ssl.keystore");
    if (trust == null && props.get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG) != null) {
      throw new IllegalArgumentException(
          "ssl.truststore.password is set but ssl.truststore.location is not");
    }
    if (trust != null && "PEM".equals(trust.type()) && trust.password() != null) {
      throw new IllegalArgumentException(
          "ssl.truststore.password: a PEM trust store has no password (remove the setting)");
    }
    if (keys == null && props.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG) != null) {
      throw new IllegalArgumentException(
          "ssl.keystore.password is set but ssl.keystore.location is not");
    }
    if (trust != null && trust.type().equalsIgnoreCase("PEM") && !trust.type().equals("PEM")) {
      throw new IllegalArgumentException(
          "ssl.truststore.type=" + trust.type() + ": write PEM, as the Java client reads it");
    }
    if (keys != null && keys.password() == null) {
      throw new IllegalArgumentException(
          "ssl.keystore.password is required with ssl.keystore.location");
    }
    return TlsSettings.of(
        trust,
        keys,
        password(props, SslConfigs.SSL_KEY_PASSWORD_CONFIG),
        text(props, SslConfigs.SSL_PROTOCOL_CONFIG, SslConfigs.DEFAULT_SSL_PROTOCOL),
        !text(props, SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https").isEmpty(),
        list(
            props,
            SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG,
            SslConfigs.DEFAULT_SSL_ENABLED_PROTOCOLS),
        list(props, SslConfigs.SSL_CIPHER_SUITES_CONFIG, ""));
  }

  /** The store {@code prefix}.location names, or null; an empty location is a mistake. */
  private static TlsSettings.Store store(Map<String, Object> props, String prefix) {
    String location = text(props, prefix + ".location", null);
    if (location == null) {
      return null;
    }
    if (location.isEmpty()) {
      // Not "no store": an empty trust store setting would otherwise trust every public CA.
      throw new IllegalArgumentException(prefix + ".location is empty");
    }
    return new TlsSettings.Store(
        Path.of(location),
        text(props, prefix + ".type", "JKS"),
        password(props, prefix + ".password"));
  }

  private static char[] password(Map<String, Object> props, String key) {
    Object v = props.get(key);
    if (v == null) {
      return null;
    }
    // The Java client's parsed configs hold passwords as Password; a properties file, as text.
    // Trimmed, as the Java client trims them.
    String text = v instanceof Password p ? p.value() : String.valueOf(v);
    return text.trim().toCharArray();
  }

  private static List<String> list(Map<String, Object> props, String key, String absent) {
    String v = text(props, key, absent);
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code security.protocol}, upper case (the Java client takes it in any case). */
  private static String securityProtocol(Map<String, Object> props) {
    return text(props, CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
        .toUpperCase(Locale.ROOT);
  }

  /** Why the built-in client cannot authenticate as {@code props} ask, or null when it can. */
  private static String saslRefusal(Map<String, Object> props) {
    String mechanism = text(props, SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
    if (!SaslCredentials.supported(mechanism)) {
      return SaslConfigs.SASL_MECHANISM + "=" + mechanism;
    }
    try {
      saslCredentials(props);
      return null;
    } catch (IllegalArgumentException e) {
      // The Java client reads JAAS files and other login modules; it may make sense of it.
      return SaslConfigs.SASL_JAAS_CONFIG + " (" + e.getMessage() + ")";
    }
  }

  private static SaslCredentials saslCredentials(Map<String, Object> props) {
    return SaslCredentials.fromJaas(
        text(props, SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM),
        text(props, SaslConfigs.SASL_JAAS_CONFIG, null));
  }

  private static String text(Map<String, Object> props, String key, String absent) {
    Object v = props.get(key);
    return v == null ? absent : String.valueOf(v).trim();
  }

  private static int integer(Map<String, Object> props, String key, int absent) {
    String v = text(props, key, null);
    if (v == null) {
      return absent;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not a number: '" + v + "'");
    }
  }
}
