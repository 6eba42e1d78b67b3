package dev.culprit.collector.publish.wire;

import java.io.IOException;

/**
 * The broker's answer could not be read: truncated, garbled, or for another request. The connection
 * is closed and the request sent again on a new one.
 */
final class WireProtocolException extends IOException {

  private static final long serialVersionUID = 1L;

  WireProtocolException(String message) {
    super(message);
  }
}
