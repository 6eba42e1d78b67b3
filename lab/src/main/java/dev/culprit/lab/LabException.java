package dev.culprit.lab;

/**
 * A lab command that cannot do what was asked; the message is written for the user (what failed,
 * why, and what to do) and is printed without a stack trace.
 */
public class LabException extends RuntimeException {

  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
