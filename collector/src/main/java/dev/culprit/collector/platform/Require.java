package dev.culprit.collector.platform;

/** The null checks of record constructors, one call for all of a record's required components. */
public final class Require {

  private Require() {}

  /**
   * Checks {@code namesAndValues}, given as name, value, name, value, …: throws a {@link
   * NullPointerException} whose message is the name of the first value that is null, as {@link
   * java.util.Objects#requireNonNull(Object, String)} would.
   */
  public static void nonNull(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] == null) {
        throw new NullPointerException((String) namesAndValues[i]);
      }
    }
  }
}
