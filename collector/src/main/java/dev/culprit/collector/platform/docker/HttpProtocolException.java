package dev.culprit.collector.platform.docker;

import java.io.IOException;

/**
 * A response that breaks HTTP/1.1 framing or passes one of the client's limits (line length, header
 * count, chunk size, body size, event line size). The Engine socket is root's, but what comes
 * through it (container names, labels, log-ish event attributes) is chosen by whoever runs
 * containers, so the client trusts none of its sizes.
 */
public final class HttpProtocolException extends IOException {

  public HttpProtocolException(String message) {
    super(message);
  }
}
