package dev.culprit.processor.oom;

import dev.culprit.processor.StateSchemaHistory;
import java.io.IOException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The OOM join's state lives in a changelog, so it evolves like a contract schema. To release a
 * change run once with {@code -Dculprit.schemas.writeHistory=true} and commit the new version.
 */
class OomContainerStateHistoryTest {

  private static final Schema CURRENT = OomContainerState.getClassSchema();

  @Test
  void newestHistoryVersionIsTheCurrentSchema() throws IOException {
    StateSchemaHistory.assertNewestVersionIs(CURRENT);
  }

  @Test
  void everyVersionReadsThePrevious() {
    StateSchemaHistory.assertEveryVersionReadsThePrevious(CURRENT);
  }
}
