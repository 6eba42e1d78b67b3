package dev.culprit.collector.publish.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <dir>/.lock}: two collectors appending to one spool would interleave
 * their records. The kernel releases it when the process dies, so a crash never leaves it stuck.
 */
final class SpoolDirLock implements AutoCloseable {

  private final FileChannel file;
  private final FileLock lock;

  private SpoolDirLock(FileChannel file, FileLock lock) {
    this.file = file;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir}.
   *
   * @throws IOException when another process or spool in this JVM holds it
   */
  static SpoolDirLock acquire(Path dir) throws IOException {
    FileChannel file =
        FileChannel.open(
            dir.resolve(".lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    FileLock lock;
    try {
      lock = file.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      file.close();
      throw new IOException("spool directory " + dir + " is in use by another collector");
    }
    return new SpoolDirLock(file, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      file.close();
    }
  }
}
