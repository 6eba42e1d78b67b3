package dev.culprit.processor;

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

/**
 * The checks of a processor state schema that lives in changelogs or repartition topics and so
 * evolves like a contract schema. To release a change run once with {@code
 * -Dculprit.schemas.writeHistory=true} and commit the new version.
 */
public final class StateSchemaHistory {

  private StateSchemaHistory() {}

  /** The newest history version is {@code current}; with the switch, writes it as the next one. */
  public static void assertNewestVersionIs(Schema current) throws IOException {
    List<Schema> history = SchemaHistory.versions(current.getName());
    if (Boolean.getBoolean("culprit.schemas.writeHistory")
        && (history.isEmpty() || !same(history.get(history.size() - 1), current))) {
      Path dir = Path.of("src/main/resources/culprit/avro/history", current.getName());
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("v" + (history.size() + 1) + ".avsc"), current.toString(true) + "\n");
      return;
    }
    assertThat(history).isNotEmpty();
    assertThat(SchemaNormalization.toParsingForm(history.get(history.size() - 1)))
        .as(current.getName() + " changed: add a history version")
        .isEqualTo(SchemaNormalization.toParsingForm(current));
  }

  /** Every version of {@code current}'s history, and {@code current}, reads the one before. */
  public static void assertEveryVersionReadsThePrevious(Schema current) {
    List<Schema> versions = new ArrayList<>(SchemaHistory.versions(current.getName()));
    versions.add(current);
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
