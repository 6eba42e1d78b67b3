package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The topology's shape, pinned: node, store and internal topic names are what a running
 * deployment's state and changelogs are keyed by, so any change must be deliberate. After an
 * intended change run with {@code -Dculprit.golden.update=true} and review the diff.
 */
class TopologyDescriptionTest {

  private static final Path PINNED = Path.of("src/test/resources/topology.txt");

  @Test
  void topologyDescriptionIsThePinnedOne() throws IOException {
    String described =
        CulpritTopology.build(ProcessorConfig.defaults("localhost:9092")).describe().toString();
    if (Boolean.getBoolean("culprit.golden.update")) {
      Files.writeString(PINNED, described);
      return;
    }
    assertThat(described).isEqualTo(Files.readString(PINNED));
  }

  @Test
  void everyStoreAndInternalTopicIsNamedExplicitly() {
    // build() enforces ensure.explicit.internal.resource.naming: an unnamed store or internal
    // topic would throw here.
    assertThat(CulpritTopology.build(ProcessorConfig.defaults("localhost:9092")).describe())
        .isNotNull();
    assertThat(CulpritProcessor.properties(ProcessorConfig.defaults("localhost:9092")))
        .containsEntry("ensure.explicit.internal.resource.naming", true)
        .containsEntry("processing.guarantee", "exactly_once_v2");
  }
}
