package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.broker.OrderedProducer;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Topics;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TailCommandTest {

  static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBroker.startTemporary();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void printsDecodedRecordsAsJsonLinesAndSkipsUndecodableOnesWithTheirCoordinates()
      throws Exception {
    InterfaceSample sample =
        InterfaceSample.newBuilder()
            .setHost("web-1")
            .setNetns("culprit-web")
            .setSampleTimeMs(1_700_000_000_000L)
            .setCollectorId("c-1")
            .setSeq(1)
            .setInterfaces(
                List.of(
                    InterfaceStats.newBuilder()
                        .setName("eth0")
                        .setMtu(100)
                        .setRxDropped(344L)
                        .build()))
            .build();
    try (KafkaProducer<String, byte[]> producer =
        OrderedProducer.create(broker.bootstrapServers())) {
      String topic = Topics.INTERFACE.name();
      producer.send(new ProducerRecord<>(topic, 0, "web-1", "garbage".getBytes())).get();
      producer
          .send(
              new ProducerRecord<>(topic, 0, "web-1", Topics.INTERFACE.valueSerde().encode(sample)))
          .get();
    }

    Cli.Run run =
        Cli.run(
            "tail",
            "interface",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--from-beginning",
            "--max",
            "1",
            "--timeout",
            "30s");

    assertThat(run.exitCode()).isZero();
    List<String> lines = run.stdout().lines().toList();
    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines.get(0));
    assertThat(json.get("netns").asText()).isEqualTo("culprit-web");
    assertThat(json.get("interfaces").get(0).get("mtu").asInt()).isEqualTo(100);
    assertThat(json.get("interfaces").get(0).get("rxDropped").asLong()).isEqualTo(344);
    assertThat(json.get("interfaces").get(0).get("rxErrors").isNull()).isTrue();
    assertThat(run.stderr()).contains("skipped culprit.samples.interface-0@0").contains("not Avro");
  }

  @Test
  void failsWithExitCodeOneWhenFewerRecordsThanAskedArriveInTime() {
    Cli.Run run =
        Cli.run(
            "tail",
            "fleet",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--max",
            "1",
            "--timeout",
            "1s");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).contains("only 0 of 1 records");
  }
}
