package dev.culprit.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schemas evolve only compatibly. Every released version is kept in {@code
 * src/main/resources/culprit/avro/history/<Name>/v<N>.avsc}; the newest must be the current schema
 * and every version must be readable by the next (old records stay readable) and the next by it
 * (consumers on the older version keep working).
 *
 * <p>To release a schema change: run with {@code -Dculprit.schemas.writeHistory=true} once, which
 * adds the current schema as the next version, then commit it.
 */
class SchemaEvolutionTest {

  static List<Schema> currentSchemas() {
    List<Schema> schemas = new ArrayList<>();
    Topics.all()
        .forEach(
            t -> {
              if (!schemas.contains(t.valueSchema())) {
                schemas.add(t.valueSchema());
              }
            });
    return schemas;
  }

  @ParameterizedTest
  @MethodSource("currentSchemas")
  void newestHistoryVersionIsTheCurrentSchema(Schema current) throws IOException {
    List<Schema> history = SchemaHistory.versions(current.getName());
    if (Boolean.getBoolean("culprit.schemas.writeHistory")
        && (history.isEmpty() || !sameSchema(history.get(history.size() - 1), current))) {
      Path dir = Path.of("src/main/resources/culprit/avro/history", current.getName());
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("v" + (history.size() + 1) + ".avsc"), current.toString(true) + "\n");
      return;
    }
    assertThat(history)
        .as(
            "history of %s (run with -Dculprit.schemas.writeHistory=true to add it)",
            current.getName())
        .isNotEmpty();
    assertThat(SchemaNormalization.toParsingForm(history.get(history.size() - 1)))
        .as(
            "%s changed since its newest history version v%d: run the build once with"
                + " -Dculprit.schemas.writeHistory=true and commit the new version",
            current.getName(), history.size())
        .isEqualTo(SchemaNormalization.toParsingForm(current));
  }

  @ParameterizedTest
  @MethodSource("currentSchemas")
  void everyVersionIsCompatibleWithTheNextBothWays(Schema current) {
    List<Schema> versions = new ArrayList<>(SchemaHistory.versions(current.getName()));
    versions.add(current);
    for (int i = 0; i + 1 < versions.size(); i++) {
      Schema older = versions.get(i);
      Schema newer = versions.get(i + 1);
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(newer, older).getType())
          .as("%s v%d must read records written with v%d", current.getName(), i + 2, i + 1)
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(older, newer).getType())
          .as("%s v%d readers must read records written with v%d", current.getName(), i + 1, i + 2)
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @ParameterizedTest
  @MethodSource("currentSchemas")
  void everyFieldIsDocumentedAndEveryStatisticSaysCounterOrGauge(Schema current) {
    assertDocumented(current, current.getName(), new ArrayList<>());
  }

  private static void assertDocumented(Schema record, String path, List<String> seen) {
    if (seen.contains(record.getFullName())) {
      return;
    }
    seen.add(record.getFullName());
    for (Schema.Field field : record.getFields()) {
      String where = path + "." + field.name();
      assertThat(field.doc()).as("doc of %s", where).isNotBlank();
      Schema type = nonNull(field.schema());
      boolean nestedStatistic = !path.equals(record.getName()) || path.contains(".");
      if (nestedStatistic
          && (type.getType() == Schema.Type.LONG || type.getType() == Schema.Type.DOUBLE)
          && isStatisticsRecord(record)) {
        assertThat(field.doc())
            .as("%s must say counter: or gauge:", where)
            .containsAnyOf("counter", "gauge");
      }
      if (type.getType() == Schema.Type.ARRAY
          && nonNull(type.getElementType()).getType() == Schema.Type.RECORD) {
        assertDocumented(nonNull(type.getElementType()), where, seen);
      }
    }
  }

  private static boolean isStatisticsRecord(Schema record) {
    return List.of(
            "InterfaceStats",
            "QdiscStats",
            "ContainerStats",
            "SoftnetCpu",
            "NeighbourEntry",
            "DropReasonCount")
        .contains(record.getName());
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream()
        .filter(s -> s.getType() != Schema.Type.NULL)
        .findFirst()
        .orElseThrow();
  }

  private static boolean sameSchema(Schema a, Schema b) {
    return SchemaNormalization.toParsingForm(a).equals(SchemaNormalization.toParsingForm(b));
  }
}
