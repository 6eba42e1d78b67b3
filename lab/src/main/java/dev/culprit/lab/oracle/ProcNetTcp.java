package dev.culprit.lab.oracle;

/**
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6}: the lab waits until its servers listen before
 * it starts the clients, so the first requests meet a server and not a reset.
 *
 * <pre>
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid …
 *    0: 00000000:1F91 00000000:0000 0A 00000002:00000000 00:00000000 00000000     0 …
 * </pre>
 *
 * Ports are hexadecimal; state {@code 0A} is LISTEN. For a listener, {@code rx_queue} is the accept
 * queue length.
 */
public final class ProcNetTcp {

  private static final String LISTEN = "0A";

  private ProcNetTcp() {}

  /** True when some socket listens on {@code port} (any address). */
  public static boolean listening(String text, int port) {
    return acceptQueue(text, port) >= 0;
  }

  /** The accept-queue length of the listener on {@code port}, or -1 when nothing listens there. */
  public static long acceptQueue(String text, int port) {
    String hexPort = String.format(":%04X", port);
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 5 || !f[0].endsWith(":") || f[0].equals("sl")) {
        continue;
      }
      if (f[1].endsWith(hexPort) && f[3].equals(LISTEN)) {
        String[] queues = f[4].split(":");
        return queues.length == 2 ? Long.parseLong(queues[1], 16) : 0;
      }
    }
    return -1;
  }
}
