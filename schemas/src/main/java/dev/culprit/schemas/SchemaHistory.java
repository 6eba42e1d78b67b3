package dev.culprit.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of every schema, kept under version control in {@code
 * src/main/resources/culprit/avro/history/<Name>/v<N>.avsc} (v1, v2, ... without gaps). The serdes
 * register them so records written by older collectors and processors stay readable; a test keeps
 * the newest one equal to the current schema and each one compatible with the next.
 */
public final class SchemaHistory {

  private static final String ROOT = "/culprit/avro/history/";

  private SchemaHistory() {}

  /** Versions of the named schema, oldest first; empty if it has none yet. */
  public static List<Schema> versions(String schemaName) {
    List<Schema> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = ROOT + schemaName + "/v" + v + ".avsc";
      try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
        if (in == null) {
          return versions;
        }
        // A fresh parser per file: each version defines the same names again. History files are
        // self-contained (named types inlined), so an old FleetIncident keeps its old Cause enum.
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history " + path, e);
      }
    }
  }
}
