package dev.culprit.collector.source;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;

/** Reads fixtures under {@code src/test/resources/fixtures}. */
public final class Fixtures {

  private Fixtures() {}

  /** The fixture at {@code fixtures/PATH}, e.g. {@code real/ns-a/proc-net-dev.txt}. */
  public static String text(String path) {
    return ReplayingCommandRunner.resource("/fixtures/" + path);
  }
}
