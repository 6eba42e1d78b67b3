package dev.culprit.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.culprit.collector.platform.fs.OwnedDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The lab's state file ({@code state.json} in the state directory, {@code /run/culprit-lab} by
 * default: a tmpfs, so it vanishes on reboot together with the namespaces it describes). Writes are
 * atomic (temp file + rename) so a crash never leaves half a file, and a lock file serialises lab
 * commands run at the same time.
 */
public final class StateStore {

  public static final Path DEFAULT_DIR = Path.of("/run/culprit-lab");
  static final String FILE = "state.json";
  private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

  private final Path dir;
  private final ObjectMapper json =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public StateStore(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  public Path file() {
    return dir.resolve(FILE);
  }

  /** Takes the lab lock, waiting a little for another lab command to finish. */
  public AutoCloseable lock() {
    try {
      OwnedDirectory.ensure(dir, "lab state directory");
      FileChannel channel =
          FileChannel.open(
              dir.resolve("lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      Instant deadline = Instant.now().plus(LOCK_WAIT);
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return () -> {
            lock.release();
            channel.close();
          };
        }
        if (Instant.now().isAfter(deadline)) {
          channel.close();
          throw new LabException(
              "another culprit lab command holds " + dir.resolve("lock") + "; try again later");
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new LabException("cannot lock the lab state in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for the lab lock", e);
    }
  }

  /** The saved state, or the empty state when there is none. */
  public LabState load() {
    Path file = file();
    if (!Files.exists(file)) {
      return LabState.empty();
    }
    try {
      return json.readValue(file.toFile(), LabState.class);
    } catch (IOException e) {
      throw new CorruptStateException(file, e);
    }
  }

  /**
   * Moves an unreadable state file aside (so it can be inspected) and returns where it went; {@code
   * down} then cleans up by the lab's fixed names and process markers.
   */
  public Path quarantine() {
    Path aside = dir.resolve(FILE + ".unreadable-" + Instant.now().toEpochMilli());
    try {
      Files.move(file(), aside, StandardCopyOption.REPLACE_EXISTING);
      return aside;
    } catch (IOException e) {
      throw new LabException("cannot move the unreadable " + file() + " aside: " + e, e);
    }
  }

  public void save(LabState state) {
    try {
      OwnedDirectory.ensure(dir, "lab state directory");
      Path temp = dir.resolve(FILE + ".tmp");
      // Never through a symlink planted at the temporary name.
      Files.writeString(
          temp,
          toJson(state),
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      try {
        Files.move(
            temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new LabException("cannot write the lab state " + file() + ": " + e.getMessage(), e);
    }
  }

  public void delete() {
    try {
      Files.deleteIfExists(file());
    } catch (IOException e) {
      throw new LabException("cannot delete " + file() + ": " + e.getMessage(), e);
    }
  }

  String toJson(LabState state) {
    try {
      return json.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("lab state does not serialise", e);
    }
  }

  /** The state file exists but cannot be read back. */
  public static final class CorruptStateException extends LabException {
    public CorruptStateException(Path file, Throwable cause) {
      super("the lab state " + file + " is unreadable (" + cause.getMessage() + ")", cause);
    }
  }
}
