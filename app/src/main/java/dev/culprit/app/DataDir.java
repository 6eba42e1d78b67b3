package dev.culprit.app;

import dev.culprit.collector.platform.fs.OwnedDirectory;
import dev.culprit.collector.platform.fs.UnsafeDirectoryException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where culprit keeps its state on this machine: {@code $CULPRIT_DATA_DIR}, else {@code
 * $XDG_DATA_HOME/culprit}, else {@code ~/.local/share/culprit}. The embedded broker's data lives
 * under it, and the address of a running {@code culprit up}/{@code broker}, so that {@code culprit
 * tail} finds it without flags.
 */
final class DataDir {

  private static final String BOOTSTRAP_FILE = "bootstrap-servers";
  static final String CLIENT_FILE = "kafka-client.properties";

  private DataDir() {}

  static Path defaultDir() {
    String explicit = System.getenv("CULPRIT_DATA_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "culprit");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "culprit");
  }

  /**
   * Creates the data directory (0700) unless it exists and refuses it when another user owns it or
   * may write in it: culprit writes there as root.
   */
  static Path ensureOwned(Path dataDir) {
    try {
      return OwnedDirectory.ensure(dataDir, "data directory");
    } catch (UnsafeDirectoryException e) {
      throw new UserException(e.getMessage(), 2);
    } catch (IOException e) {
      throw new UserException("cannot create the data directory " + dataDir + ": " + e, 2);
    }
  }

  /**
   * Records the address of the broker that a command on this data dir runs, and the login its
   * clients need (mode 0600), so that other commands on the same data dir connect without flags.
   */
  static void writeBootstrap(
      Path dataDir, String bootstrapServers, Map<String, String> clientProperties)
      throws IOException {
    ensureOwned(dataDir);
    Properties login = new Properties();
    login.putAll(clientProperties);
    StringWriter text = new StringWriter();
    login.store(text, "how culprit's clients log in to the broker of this data directory");
    OwnedDirectory.writePrivately(
        dataDir.resolve(CLIENT_FILE), text.toString().getBytes(StandardCharsets.UTF_8));
    OwnedDirectory.writePrivately(
        dataDir.resolve(BOOTSTRAP_FILE),
        (bootstrapServers + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Forgets it again when that command stops. */
  static void clearBootstrap(Path dataDir) {
    try {
      Files.deleteIfExists(dataDir.resolve(BOOTSTRAP_FILE));
      Files.deleteIfExists(dataDir.resolve(CLIENT_FILE));
    } catch (IOException e) {
      // Stale file: the next tail fails to connect and says which address it tried.
    }
  }

  /** The client login written with the address, if any. */
  static Map<String, String> readClientProperties(Path dataDir) {
    Path file = dataDir.resolve(CLIENT_FILE);
    if (!Files.exists(file)) {
      return Map.of();
    }
    return KafkaConfigFile.load(file, "the broker login");
  }

  /** The address written by a running command on this data dir, if any. */
  static Optional<String> readBootstrap(Path dataDir) {
    try {
      String s = Files.readString(dataDir.resolve(BOOTSTRAP_FILE), StandardCharsets.UTF_8).trim();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
