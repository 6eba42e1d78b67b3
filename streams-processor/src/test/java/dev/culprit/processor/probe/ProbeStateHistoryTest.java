package dev.culprit.processor.probe;

import dev.culprit.processor.StateSchemaHistory;
import java.io.IOException;
import java.util.stream.Stream;
import org.apache.avro.Schema;
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
    StateSchemaHistory.assertNewestVersionIs(current);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void everyVersionReadsThePrevious(Schema current) {
    StateSchemaHistory.assertEveryVersionReadsThePrevious(current);
  }
}
