package dev.culprit.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where culprit keeps its state on this machine: {@code $CULPRIT_DATA_DIR}, else {@code
 * $XDG_DATA_HOME/culprit}, else {@code ~/.local/share/culprit}. The embedded broker's data lives
 * under it, and the address of a running {@code culprit up}/{@code broker}, so that {@code culprit
 * tail} finds it without flags.
 */
final class DataDir {

  private static final String BOOTSTRAP_FILE = "bootstrap-servers";

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

  /** Records the address of the broker that a command on this data dir runs. */
  static void writeBootstrap(Path dataDir, String bootstrapServers) throws IOException {
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve(BOOTSTRAP_FILE + ".tmp");
    Files.writeString(tmp, bootstrapServers + "\n", StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dataDir.resolve(BOOTSTRAP_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Forgets it again when that command stops. */
  static void clearBootstrap(Path dataDir) {
    try {
      Files.deleteIfExists(dataDir.resolve(BOOTSTRAP_FILE));
    } catch (IOException e) {
      // Stale file: the next tail fails to connect and says which address it tried.
    }
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
