package dev.culprit.processor;

/** The processor stopped by itself, and why (its message is meant for the user). */
public final class ProcessorFailedException extends RuntimeException {

  public ProcessorFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
