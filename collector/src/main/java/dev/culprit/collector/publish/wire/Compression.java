package dev.culprit.collector.publish.wire;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * How the records of a batch are compressed, with the codec id of the batch's attributes. The
 * broker stores a batch as it arrives and consumers decompress it, so any codec the cluster's
 * clients read works; lz4 and snappy need libraries the agent does not carry (they select the Java
 * client, see ProducerSettings).
 */
public enum Compression {
  NONE(0),
  GZIP(1),
  ZSTD(4);

  /** The level Kafka's own producer uses for zstd (compression.zstd.level's default). */
  public static final int ZSTD_DEFAULT_LEVEL = 3;

  private final int codec;

  Compression(int codec) {
    this.codec = codec;
  }

  /** The bits 0-2 of a record batch's attributes. */
  int codec() {
    return codec;
  }

  /**
   * The codec named by a {@code compression.type} value.
   *
   * @throws IllegalArgumentException for lz4, snappy or an unknown name
   */
  public static Compression of(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "gzip" -> GZIP;
      case "zstd" -> ZSTD;
      default -> throw new IllegalArgumentException("compression.type " + name);
    };
  }

  /**
   * This codec if it works here, else gzip: zstd-jni unpacks its native library into
   * java.io.tmpdir, which a hardened host may mount noexec. Tried once per producer.
   */
  Compression usable(org.slf4j.Logger log) {
    if (this != ZSTD) {
      return this;
    }
    try {
      Zstd.compress(new byte[] {1, 2, 3}, ZSTD_DEFAULT_LEVEL);
      return this;
    } catch (LinkageError | RuntimeException e) {
      log.warn("zstd is not usable here ({}); batches are gzip-compressed instead", e.toString());
      return GZIP;
    }
  }

  /** Compresses {@code len} bytes of {@code data} from {@code off}; NONE returns a copy. */
  byte[] compress(byte[] data, int off, int len, int level) {
    switch (this) {
      case ZSTD:
        byte[] src =
            off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len);
        return Zstd.compress(src, level);
      case GZIP:
        ByteArrayOutputStream out = new ByteArrayOutputStream(len / 4 + 64);
        try (GZIPOutputStream gz = gzip(out, level)) {
          gz.write(data, off, len);
        } catch (IOException e) {
          throw new UncheckedIOException("gzip into memory", e);
        }
        return out.toByteArray();
      default:
        return Arrays.copyOfRange(data, off, off + len);
    }
  }

  /** A gzip stream at {@code level} (1-9; anything else: zlib's default, as Kafka's -1). */
  private static GZIPOutputStream gzip(ByteArrayOutputStream out, int level) throws IOException {
    return new GZIPOutputStream(out, 8192) {
      {
        if (level >= 1 && level <= 9) {
          def.setLevel(level);
        }
      }
    };
  }
}
