package dev.culprit.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A Kafka client properties file ({@code --kafka-config}, and the one {@code culprit up} writes for
 * its own broker): the way to give culprit a password, since its command line is readable by every
 * local user in {@code /proc/PID/cmdline}. A file that holds a password must be readable by its
 * owner only.
 */
final class KafkaConfigFile {

  private static final int GROUP_OR_OTHER_READ = 0044;

  private KafkaConfigFile() {}

  /** The properties of {@code file}, refused when it holds a password others can read. */
  static Map<String, String> load(Path file, String what) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new UserException(what + " " + file + " does not exist", 2);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserException("cannot read " + what + " " + file + ": " + e.getMessage(), 2);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
    Optional<String> secret = out.keySet().stream().filter(KafkaConfigFile::isSecret).findFirst();
    if (secret.isPresent()) {
      int mode;
      try {
        mode = (Integer) Files.getAttribute(file, "unix:mode");
      } catch (IOException | UnsupportedOperationException e) {
        throw new UserException("cannot check who may read " + file + ": " + e.getMessage(), 2);
      }
      if ((mode & GROUP_OR_OTHER_READ) != 0) {
        throw new UserException(
            what
                + " "
                + file
                + " holds a password ("
                + secret.get()
                + ") and other users may read it (mode "
                + String.format("%04o", mode & 07777)
                + "); chmod 600 "
                + file,
            2);
      }
    }
    return out;
  }

  /** Whether a client property carries a secret: a JAAS config or any TLS/SASL password. */
  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("sasl.jaas.config") || k.contains("password") || k.endsWith(".key");
  }
}
