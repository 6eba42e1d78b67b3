package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.collector.spi.Header;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesPublisherTest {

  @Test
  void printsOneJsonLinePerRecordWithTopicAndSeq() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Header h = header("host-1", 1_700_000_000_000L);
    try (JsonLinesPublisher publisher =
        new JsonLinesPublisher(new PrintStream(bytes, false, StandardCharsets.UTF_8))) {
      publisher.publish(List.of(probe(h, 1), probe(h, 2)));
    }

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    JsonNode second = new ObjectMapper().readTree(lines[1]);
    assertThat(second.get("topic").asText()).isEqualTo("culprit.samples.probe");
    assertThat(second.get("seq").asLong()).isEqualTo(2);
    assertThat(second.get("sent").asLong()).isEqualTo(2);
    assertThat(second.get("host").asText()).isEqualTo("host-1");
    assertThat(second.fieldNames().next()).as("topic first").isEqualTo("topic");
  }
}
