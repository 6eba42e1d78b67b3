package dev.culprit.collector.net;

import dev.culprit.collector.exec.ReplayingCommandRunner;

/** Reads fixtures under {@code src/test/resources/fixtures}. */
public final class Fixtures {

  private Fixtures() {}

  /** The fixture at {@code fixtures/PATH}, e.g. {@code real/ns-a/proc-net-dev.txt}. */
  public static String text(String path) {
    return ReplayingCommandRunner.resource("/fixtures/" + path);
  }
}
