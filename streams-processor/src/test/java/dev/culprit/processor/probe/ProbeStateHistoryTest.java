package dev.culprit.processor.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.SchemaHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The probe join's internal records live in changelogs, repartition topics and the host windows, so
 * they evolve like contract schemas. To release a change run once with {@code
 * -Dculprit.schemas.writeHistory=true} and commit the new version.
 */
class ProbeStateHistoryTest {

  static Stream<Named<Schema>> schemas() {
    return Stream.of(
            AddressEvent.getClassSchema(),
            AddressOwners.getClassSchema(),
            NamespaceAddresses.getClassSchema(),
            ProbeObservation.getClassSchema(),
            ProbeWindow.getClassSchema())
        .map(s -> Named.of(s.getName(), s));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void newestHistoryVersionIsTheCurrentSchema(Schema current) throws IOException {
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void everyVersionReadsThePrevious(Schema current) {
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
