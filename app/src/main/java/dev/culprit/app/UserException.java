package dev.culprit.app;

/** An error the user can fix, reported as one line without a stack trace. */
public final class UserException extends RuntimeException {

  private final int exitCode;

  public UserException(String message) {
    this(message, 1);
  }

  public UserException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
