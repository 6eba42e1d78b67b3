package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
}
