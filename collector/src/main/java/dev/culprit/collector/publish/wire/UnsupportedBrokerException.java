package dev.culprit.collector.publish.wire;

import java.io.IOException;

/** The broker does not speak the protocol versions this client needs (it is older than 2.4). */
final class UnsupportedBrokerException extends IOException {

  private static final long serialVersionUID = 1L;

  UnsupportedBrokerException(String message) {
    super(message);
  }
}
