package dev.culprit.collector.platform.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory culprit writes in as root must be culprit's own: if another user owns it or may write
 * in it, that user can plant a symlink where culprit is about to create a file and make root
 * overwrite, say, {@code /etc/shadow}. Files inside such a directory are then safe to create with
 * {@code CREATE_NEW} or by renaming a fresh temporary file into place.
 */
public final class OwnedDirectory {

  private static final int GROUP_OR_OTHER_WRITE = 0022;
  private static final int STICKY = 01000;

  private OwnedDirectory() {}

  /**
   * Creates {@code dir} (mode 0700 where made now) unless it exists, then checks it is this user's
   * and no one else may write in it.
   *
   * @param what how the user knows the directory, for the message ("data directory")
   * @throws UnsafeDirectoryException when another user owns or may write in it
   */
  public static Path ensure(Path dir, String what) throws IOException {
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException raced) {
        // Made meanwhile, or a dangling symlink: the checks below decide.
      }
    }
    check(dir, what);
    return dir;
  }

  /** Checks an existing directory as {@link #ensure} does. */
  public static void check(Path dir, String what) throws IOException {
    int me = currentUid();
    int owner = (Integer) Files.getAttribute(dir, "unix:uid");
    int mode = (Integer) Files.getAttribute(dir, "unix:mode");
    if (owner != me) {
      throw new UnsafeDirectoryException(
          "refusing "
              + what
              + " "
              + dir
              + ": it belongs to uid "
              + owner
              + ", not to this user (uid "
              + me
              + "); its owner could plant symlinks that make culprit overwrite other files."
              + " Use a directory of your own (mode 0700).");
    }
    if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
      throw new UnsafeDirectoryException(
          "refusing "
              + what
              + " "
              + dir
              + ": other users may write in it (mode "
              + String.format("%04o", mode & 07777)
              + "), so they could plant symlinks that make culprit overwrite other files."
              + " chmod go-w "
              + dir);
    }
  }

  /**
   * Writes {@code bytes} to {@code file} (mode 0600) by writing a fresh temporary file beside it
   * and renaming it into place: a symlink planted at either name is never followed.
   */
  public static void writePrivately(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp =
        Files.createTempFile(
            dir,
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static int currentUid() throws IOException {
    // /proc/self belongs to the process's effective user.
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }
}
