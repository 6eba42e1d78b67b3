package dev.culprit.collector.spi;

/**
 * "No data", not a failure: the file, kernel module or tool a source needs is absent here
 * (conntrack not loaded, IPv6 off, no iptables, no Docker). Reported as NO_DATA with the reason.
 */
public final class NoDataException extends Exception {

  public NoDataException(String reason) {
    super(reason);
  }

  public NoDataException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
