package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A postmortem: samples of two hosts retained in Kafka, one with the seed's random-drop rule,
 * replayed through the processor topology without touching the live result topics.
 */
class ReplayCommandTest {

  static EmbeddedBroker broker;
  static long t0;

  @BeforeAll
  static void retainSamples() throws Exception {
    broker = EmbeddedBroker.startTemporary();
    t0 = (Instant.now().toEpochMilli() / 10_000 - 60) * 10_000; // ten minutes ago, on a window edge
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i <= 8; i++) {
        long t = t0 + i * 5_000L;
        send(producer, sample("web-1", t, i, 30L * i, 70L * i)); // 30 % dropped at random
        send(producer, sample("web-2", t, i, 0, 100L * i)); // the rule never matches
      }
      producer.flush();
    }
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void replayFindsTheRandomDropOnlyWhereItHappenedAndIsDeterministic() throws Exception {
    String[] args = {
      "replay",
      "--bootstrap-servers",
      broker.bootstrapServers(),
      "--from",
      Long.toString(t0),
      "--to",
      Long.toString(t0 + 60_000),
      "--json"
    };
    TailCommandTest.Run first = TailCommandTest.run(args);
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    List<JsonNode> causes = parse(first.stdout());
    assertThat(causes).isNotEmpty();
    assertThat(causes)
        .allSatisfy(
            c -> {
              assertThat(c.get("host").asText()).isEqualTo("web-1");
              assertThat(c.get("cause").asText()).isEqualTo("FIREWALL_DROP");
              assertThat(c.get("location").asText()).isEqualTo("filter INPUT rule 1");
            });
    assertThat(first.stderr()).contains("18 samples replayed");

    TailCommandTest.Run again = TailCommandTest.run(args);
    assertThat(again.stdout()).as("same input, same output").isEqualTo(first.stdout());

    TailCommandTest.Run onlyWeb2 =
        TailCommandTest.run(
            "replay",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--from",
            Long.toString(t0),
            "--to",
            Long.toString(t0 + 60_000),
            "--host",
            "web-2");
    assertThat(onlyWeb2.exitCode()).isZero();
    assertThat(onlyWeb2.stdout()).isEmpty();
    assertThat(onlyWeb2.stderr()).contains("9 samples replayed (9 of other hosts skipped,");
  }

  @Test
  void aRangeThatEndsBeforeItStartsIsAUsageError() {
    TailCommandTest.Run run =
        TailCommandTest.run(
            "replay",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--from",
            "1h",
            "--to",
            "2h");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("is not before --to");
  }

  private static List<JsonNode> parse(String stdout) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : stdout.lines().toList()) {
      out.add(new ObjectMapper().readTree(line));
    }
    return out;
  }

  private static void send(KafkaProducer<String, byte[]> producer, FilterSample s) {
    producer.send(
        new ProducerRecord<>(
            Topics.FILTER.name(),
            null,
            s.getSampleTimeMs(),
            s.getHost(),
            Topics.FILTER.valueSerde().encode(s)));
  }

  private static FilterSample sample(String host, long t, long seq, long dropped, long accepted) {
    String spec = "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";
    FirewallRule rule =
        FirewallRule.newBuilder()
            .setBackend("iptables-nft")
            .setFamily("ipv4")
            .setTable("filter")
            .setChain("INPUT")
            .setPosition(1)
            .setTarget("DROP")
            .setSpec(spec)
            .setStatisticMode("random")
            .setStatisticProbability(0.3)
            .setPackets(dropped)
            .setBytes(dropped * 60)
            .build();
    ChainPolicy policy =
        ChainPolicy.newBuilder()
            .setBackend("iptables-nft")
            .setFamily("ipv4")
            .setTable("filter")
            .setChain("INPUT")
            .setPolicy("ACCEPT")
            .setPackets(accepted)
            .setBytes(accepted * 60)
            .build();
    return FilterSample.newBuilder()
        .setHost(host)
        .setNetns("")
        .setSampleTimeMs(t)
        .setCollectorId("c-" + host)
        .setSeq(seq)
        .setBackends(List.of("iptables-nft"))
        .setRules(List.of(rule))
        .setPolicies(List.of(policy))
        .build();
  }
}
