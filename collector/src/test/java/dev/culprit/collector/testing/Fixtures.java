package dev.culprit.collector.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads test resources (the captured fixtures under src/test/resources). */
public final class Fixtures {

  private Fixtures() {}

  /** A resource's text, UTF-8. */
  public static String text(String resource) {
    return new String(bytes(resource), StandardCharsets.UTF_8);
  }

  /** A resource's bytes. */
  public static byte[] bytes(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A resource's path on disk. */
  public static Path path(String resource) {
    try {
      return Path.of(Fixtures.class.getResource("/" + resource).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no test resource " + resource, e);
    }
  }
}
