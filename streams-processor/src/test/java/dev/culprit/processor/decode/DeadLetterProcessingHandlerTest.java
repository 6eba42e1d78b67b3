package dev.culprit.processor.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the processor's own settings, a processor that throws dead-letters the source record and the
 * stream goes on. A toy topology stands in for a bug, since the real one has none on purpose.
 */
class DeadLetterProcessingHandlerTest {

  @TempDir Path stateDir;

  @Test
  void aProcessorThatThrowsDeadLettersTheSourceRecordAndProcessingGoesOn() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(
            v -> {
              if (v.equals("boom")) {
                throw new IllegalStateException("unexpected " + v);
              }
              return v.toUpperCase();
            },
            Named.as("shout"))
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props =
        CulpritProcessor.properties(ProcessorConfig.defaults("ttd:9092").withStateDir(stateDir));
    ProcessorMetrics metrics = new ProcessorMetrics();
    props.put(CulpritProcessor.METRICS_PROPERTY, metrics);
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      var in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
      var out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
      var dead =
          driver.createOutputTopic(
              Topics.DEAD_LETTER.name(),
              Topics.DEAD_LETTER.keySerde().deserializer(),
              Topics.DEAD_LETTER.valueSerde().deserializer());
      in.pipeInput("h1", "boom");
      in.pipeInput("h2", "fine");

      assertThat(out.readValuesToList()).containsExactly("FINE");
      DeadLetter letter = dead.readValue();
      assertThat(letter.getStage()).isEqualTo("process:shout");
      assertThat(letter.getSourceTopic()).isEqualTo("in");
      assertThat(letter.getOffset()).isZero();
      assertThat(letter.getReason()).contains("unexpected boom");
      assertThat(letter.getExceptionClass()).isEqualTo(IllegalStateException.class.getName());
      assertThat(text(letter.getValue())).isEqualTo("boom");
      assertThat(text(letter.getKey())).isEqualTo("h1");
      assertThat(metrics.deadLetters()).isEqualTo(java.util.Map.of("process", 1L));
    }
  }

  private static String text(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
