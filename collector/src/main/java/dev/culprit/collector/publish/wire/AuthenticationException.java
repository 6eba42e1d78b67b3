package dev.culprit.collector.publish.wire;

import java.io.IOException;

/**
 * The broker refused this client's credentials or mechanism: retrying with the same settings cannot
 * help, so a window fails at once with this message instead of being retried until the delivery
 * timeout.
 */
final class AuthenticationException extends IOException {

  private static final long serialVersionUID = 1L;

  AuthenticationException(String message) {
    super(message);
  }

  AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
