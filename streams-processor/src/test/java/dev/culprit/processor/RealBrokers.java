package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.JsonRenderer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** What the tests of the processor against a real (embedded) broker share. */
public final class RealBrokers {

  private RealBrokers() {}

  /** The processor's defaults for this broker, under its own application id and state dir. */
  public static ProcessorConfig config(EmbeddedBroker broker, String applicationId, Path stateDir) {
    return ProcessorConfig.defaults(broker.bootstrapServers())
        .withApplicationId(applicationId)
        .withStateDir(stateDir);
  }

  /** A feed of everything {@code topic} of this broker holds and receives. */
  public static <V extends SpecificRecord> ResultFeed<V> feed(
      EmbeddedBroker broker, Topic<V> topic) {
    return new ResultFeed<>(broker.bootstrapServers(), topic, true);
  }

  /** Polls until at least {@code count} records came, failing if they did not within deadline. */
  public static <T> List<T> pollUntil(
      Function<Duration, List<T>> poll, int count, Duration deadline) {
    List<T> got = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    while (got.size() < count && System.nanoTime() < end) {
      got.addAll(poll.apply(Duration.ofMillis(500)));
    }
    assertThat(got).as("records within %s", deadline).hasSizeGreaterThanOrEqualTo(count);
    return got;
  }

  /**
   * Polls the four causes of the seed's three faults at once and checks them against their golden
   * file (what the topology test driver gives for the same samples).
   */
  public static void assertSeedCauses(ResultFeed<RootCause> causes, Duration deadline)
      throws IOException {
    List<RootCause> got = pollUntil(causes::poll, 4, deadline);
    String expected =
        Files.readString(Path.of("src/test/resources/golden/seed-three-faults-at-once.jsonl"));
    assertThat(got.stream().map(c -> JsonRenderer.toJson(c) + "\n").collect(Collectors.joining()))
        .as("the causes of the seed's three faults at once (golden)")
        .isEqualTo(expected);
  }

  /**
   * A started processor on a broker (its {@link #config}), with feeds of its causes and dead
   * letters and a producer of samples; closes them in the reverse order.
   */
  public static final class Running implements AutoCloseable {
    public final CulpritProcessor processor;
    public final ResultFeed<RootCause> causes;
    public final ResultFeed<DeadLetter> deadLetters;
    public final SampleProducer producer;

    public Running(EmbeddedBroker broker, String applicationId, Path stateDir) {
      processor = new CulpritProcessor(config(broker, applicationId, stateDir));
      causes = feed(broker, Topics.ROOTCAUSE_PACKET_LOSS);
      deadLetters = feed(broker, Topics.DEAD_LETTER);
      producer = new SampleProducer(broker);
      processor.start();
    }

    @Override
    public void close() throws Exception {
      try (processor;
          causes;
          deadLetters;
          producer) {
        // closes them
      }
    }
  }
}
