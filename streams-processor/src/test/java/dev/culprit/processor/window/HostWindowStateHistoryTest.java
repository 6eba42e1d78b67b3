package dev.culprit.processor.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.SchemaHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * The host-window aggregate lives in changelogs and the suppression buffer, so it evolves like a
 * contract schema: the newest history version is the current schema and each version reads the
 * previous. To release a change run once with {@code -Dculprit.schemas.writeHistory=true} and
 * commit the new version.
 */
class HostWindowStateHistoryTest {

  private static final Schema CURRENT = HostWindowState.getClassSchema();

  @Test
  void newestHistoryVersionIsTheCurrentSchema() throws IOException {
    List<Schema> history = SchemaHistory.versions(CURRENT.getName());
    if (Boolean.getBoolean("culprit.schemas.writeHistory")
        && (history.isEmpty() || !same(history.get(history.size() - 1), CURRENT))) {
      Path dir = Path.of("src/main/resources/culprit/avro/history", CURRENT.getName());
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("v" + (history.size() + 1) + ".avsc"), CURRENT.toString(true) + "\n");
      return;
    }
    assertThat(history).isNotEmpty();
    assertThat(SchemaNormalization.toParsingForm(history.get(history.size() - 1)))
        .as("HostWindowState changed: add a history version")
        .isEqualTo(SchemaNormalization.toParsingForm(CURRENT));
  }

  @Test
  void everyVersionReadsThePrevious() {
    List<Schema> versions = new ArrayList<>(SchemaHistory.versions(CURRENT.getName()));
    versions.add(CURRENT);
    for (int i = 0; i + 1 < versions.size(); i++) {
      assertThat(
              SchemaCompatibility.checkReaderWriterCompatibility(
                      versions.get(i + 1), versions.get(i))
                  .getType())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  private static boolean same(Schema a, Schema b) {
    return SchemaNormalization.toParsingForm(a).equals(SchemaNormalization.toParsingForm(b));
  }
}
