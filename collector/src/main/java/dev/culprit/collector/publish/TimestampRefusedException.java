package dev.culprit.collector.publish;

import java.io.IOException;

/**
 * The broker refused a record for its timestamp (INVALID_TIMESTAMP): it lies more than the topic's
 * {@code message.timestamp.after.max.ms} ahead of the broker's clock or {@code before.max.ms}
 * behind it. The broker never takes it as it is; the message names the topic and the broker's
 * error.
 */
final class TimestampRefusedException extends IOException {

  private static final long serialVersionUID = 1L;

  TimestampRefusedException(String message) {
    super(message);
  }
}
