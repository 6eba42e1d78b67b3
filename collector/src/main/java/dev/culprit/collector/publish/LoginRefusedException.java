package dev.culprit.collector.publish;

import java.io.IOException;

/**
 * The cluster refuses this client: its SASL credentials, or TLS (a broker certificate not trusted
 * or not naming the broker, this client's certificate refused, no protocol in common). The same
 * settings meet the same refusal, so the sender tries again after a pause that doubles up to a
 * minute instead of every second — a fleet with a wrong secret would otherwise make every host log
 * in to every broker once a second — while the records wait in the spool.
 */
final class LoginRefusedException extends IOException {

  private static final long serialVersionUID = 1L;

  LoginRefusedException(String message) {
    super(message);
  }
}
