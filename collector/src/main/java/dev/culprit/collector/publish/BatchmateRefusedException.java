package dev.culprit.collector.publish;

import java.io.IOException;

/**
 * The broker refused a batch for the records it named (a timestamp out of range, an invalid record)
 * and not for this one, which the Java client then fails too: it is sent again at once, the broker
 * is not unreachable.
 */
final class BatchmateRefusedException extends IOException {

  private static final long serialVersionUID = 1L;

  BatchmateRefusedException(String message) {
    super(message);
  }
}
