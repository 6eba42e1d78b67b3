package dev.culprit.collector.publish.wire;

import java.io.IOException;

/**
 * The broker answered, with an error code (e.g. {@code COORDINATOR_LOAD_IN_PROGRESS} while it loads
 * the producer id state): the connection is fine and is kept, the request is retried after the
 * usual pause. Reconnecting would only cost a new login and count as a reconnect.
 */
final class BrokerErrorException extends IOException {

  private static final long serialVersionUID = 1L;

  BrokerErrorException(String message) {
    super(message);
  }
}
