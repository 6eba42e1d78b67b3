package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.probe.Addresses;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.NetnsWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A total outage that drops little: TCP backs off (SYNs again after 1, 3, 7, 15 s), so a client cut
 * off entirely loses only a few packets a window, below any volume a rule asks of a trickle. What
 * tells it from a trickle is what the loss does to the traffic it hits: the drops go on in every
 * window for at least {@value #MIN_MS} ms (the same time at any window size), and a client culprit
 * samples, a namespace of the same host, retransmits its SYNs in every one of those windows. A
 * filter discarding spoofed packets or a scanner's goes on as long, but no sampled client fails
 * because of it.
 */
final class QuietOutage {

  /** How long drops and a client's failing connection attempts must go on together, ms. */
  static final long MIN_MS = 30_000;

  private static final String SYN_RETRANS = ProtocolCounter.TCP_SYN_RETRANS.kernelName();

  /**
   * A namespace whose connection attempts fail: its SYNs were retransmitted in every window of the
   * run.
   *
   * @param netns its label
   * @param synRetrans TcpExt.TCPSynRetrans in this window
   * @param attemptFails Tcp.AttemptFails in this window, null when unknown
   * @param lastedMs how long its SYNs have been retransmitted, window after window
   */
  record Client(String netns, long synRetrans, Long attemptFails, long lastedMs) {}

  private QuietOutage() {}

  /**
   * Records that {@code what} dropped in this window and returns how long it has, window after
   * window, up to this window's end, ms.
   */
  static long lastedMs(NetnsWindow window, String what) {
    HostWindow host = window.host();
    return host.endMs() - host.streaks().since(window.netns(), what);
  }

  /** Whether drops that lasted that long are a persistent loss. */
  static boolean persistent(long lastedMs) {
    return lastedMs >= MIN_MS;
  }

  /** The host's other namespaces whose connection attempts have failed as long as that. */
  static List<Client> failingClients(NetnsWindow window, long lastedMs) {
    List<Client> clients = new ArrayList<>();
    for (NetnsWindow other : window.host().namespaces()) {
      if (!other.netns().equals(window.netns())) {
        failing(other, lastedMs).ifPresent(clients::add);
      }
    }
    return clients;
  }

  /**
   * The window's own namespace as a client: its SYNs (or, for a server, its SYN-ACKs, which
   * TcpExt.TCPSynRetrans counts too) were retransmitted in every window for as long as the drops
   * went on.
   */
  static Optional<Client> failingItself(NetnsWindow window, long lastedMs) {
    return failing(window, lastedMs);
  }

  /**
   * The one namespace of the host, other than the window's, with that address on an interface, if
   * its connection attempts have failed as long as the drops went on.
   */
  static Optional<Client> failingOwner(NetnsWindow window, String address, long lastedMs) {
    List<NetnsWindow> owners = new ArrayList<>();
    for (NetnsWindow other : window.host().namespaces()) {
      boolean has =
          other.interfaces().stream()
              .filter(i -> !Peers.isLoopback(i))
              .flatMap(i -> i.getAddresses().stream())
              .map(Addresses::canonical)
              .anyMatch(a -> a.isPresent() && a.get().equals(address));
      if (has) {
        owners.add(other);
      }
    }
    // An address in two namespaces names neither; the dropping namespace is not its own client.
    if (owners.size() != 1 || owners.get(0).netns().equals(window.netns())) {
      return Optional.empty();
    }
    return failing(owners.get(0), lastedMs);
  }

  /** Names of the clients, comma-separated, for evidence. */
  static String names(List<Client> clients) {
    return String.join(",", clients.stream().map(Client::netns).toList());
  }

  private static Optional<Client> failing(NetnsWindow n, long lastedMs) {
    Long syn = n.protocol(ProtocolCounter.TCP_SYN_RETRANS);
    if (syn == null || syn <= 0) {
      return Optional.empty();
    }
    long clientLastedMs = lastedMs(n, "symptom " + SYN_RETRANS);
    if (!persistent(Math.min(clientLastedMs, lastedMs))) {
      return Optional.empty();
    }
    return Optional.of(
        new Client(n.netns(), syn, n.protocol(ProtocolCounter.TCP_ATTEMPT_FAILS), clientLastedMs));
  }
}
