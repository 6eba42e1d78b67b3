package dev.culprit.collector.publish.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that says how far the broker has acknowledged the spool: segment id, offset, CRC32C of
 * both (20 bytes). Replaced atomically by rename; not forced (see {@link Spool}).
 */
final class SpoolCheckpoint {

  private static final Logger LOG = LoggerFactory.getLogger(SpoolCheckpoint.class);
  private static final int BYTES = 20;

  private final Path file;
  private final Path temp;

  SpoolCheckpoint(Path file) {
    this.file = file;
    this.temp = file.resolveSibling(file.getFileName() + ".tmp");
  }

  /** The saved position, or null when there is none or it is unreadable (then all is resent). */
  SpoolPosition read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length != BYTES || crc(bytes) != buffer.getInt(16)) {
      LOG.warn(
          "spool checkpoint {} is corrupt ({} bytes); resending everything in the spool",
          file,
          bytes.length);
      return null;
    }
    return new SpoolPosition(buffer.getLong(0), buffer.getLong(8));
  }

  void write(SpoolPosition position) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(BYTES);
    buffer.putLong(position.segmentId()).putLong(position.offset());
    buffer.putInt(crc(buffer.array()));
    // Never through a symlink planted at the temporary name.
    Files.write(
        temp,
        buffer.array(),
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the saved position: the next start resends everything in the spool. */
  void delete() throws IOException {
    Files.deleteIfExists(temp);
    Files.deleteIfExists(file);
  }

  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 16);
    return (int) crc.getValue();
  }
}
