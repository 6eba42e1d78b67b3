package dev.culprit.collector.publish;

import java.io.IOException;

/**
 * A record's topic does not exist or this producer may not write to it: its records wait (in the
 * spool, with a growing pause) while the other topics go on; the message names the topic and the
 * broker's error.
 */
final class TopicUnavailableException extends IOException {

  private static final long serialVersionUID = 1L;

  TopicUnavailableException(String message) {
    super(message);
  }
}
