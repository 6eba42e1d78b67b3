package dev.culprit.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Version from the build (a resource filtered by Maven), with the Kafka and Java versions. */
final class VersionProvider implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() throws IOException {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    }
    return new String[] {
      "culprit " + p.getProperty("version", "unknown"),
      "Kafka " + p.getProperty("kafka", "unknown") + ", Java " + System.getProperty("java.version")
    };
  }
}
