package dev.culprit.collector.source.probe;

import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of TCP connect probes, like {@code hping3 -S}: for every target {@code count} connects
 * sent together (non-blocking sockets on one selector), each given {@code timeout} to be answered.
 *
 * <p>An answer is anything the target's kernel sent back: a completed handshake (SYN-ACK) or a
 * refusal (RST, or an ICMP port unreachable, which Linux reports the same way). A timeout, "no
 * route to host", "network unreachable" — anything that says the SYN or its answer got lost on the
 * way — leaves the probe unanswered. The timeout should stay below Linux's initial SYN
 * retransmission timeout (1 s): a probe whose first SYN was dropped then counts as lost rather than
 * as a slow answer to the retransmitted one.
 *
 * <p>Every socket is closed with SO_LINGER 0: a completed connection ends with a RST at once
 * instead of leaving a TIME_WAIT entry per probe.
 */
final class ProbeRound {

  private static final Logger LOG = LoggerFactory.getLogger(ProbeRound.class);

  /** Opens unconnected TCP sockets, one per family given, where the probes leave from. */
  @FunctionalInterface
  interface Sockets {
    List<SocketChannel> open(List<ProtocolFamily> families) throws IOException, NoDataException;
  }

  /**
   * What one target's probes got.
   *
   * @param rttMs round-trip times of the answered probes, in send order, ms
   */
  record Result(ProbeTarget target, int sent, List<Double> rttMs) {

    int answered() {
      return rttMs.size();
    }

    /** Null when nothing answered: absent, not zero. */
    Double rttMinMs() {
      return rttMs.isEmpty() ? null : stats().getMin();
    }

    Double rttAvgMs() {
      return rttMs.isEmpty() ? null : stats().getAverage();
    }

    Double rttMaxMs() {
      return rttMs.isEmpty() ? null : stats().getMax();
    }

    private DoubleSummaryStatistics stats() {
      return rttMs.stream().mapToDouble(Double::doubleValue).summaryStatistics();
    }
  }

  /** One connect attempt. */
  private static final class Probe {
    final int target;
    final int index;
    final SocketChannel channel;
    long startNanos;
    double rttMs = -1;
    boolean done;

    Probe(int target, int index, SocketChannel channel) {
      this.target = target;
      this.index = index;
      this.channel = channel;
    }
  }

  private ProbeRound() {}

  /**
   * Probes every target {@code count} times at once and waits for the answers.
   *
   * @param from the namespace label the probes leave from, for logs
   * @throws NoDataException when the sockets cannot be opened where they must leave from
   * @throws IOException when the sockets or the selector cannot be opened at all (out of fds)
   */
  static List<Result> run(
      List<ProbeTarget> targets, int count, Duration timeout, Sockets sockets, String from)
      throws IOException, NoDataException {
    List<Probe> probes = new ArrayList<>(targets.size() * count);
    try (Selector selector = Selector.open()) {
      try {
        // Open and set up every socket first (in one visit to the namespace), so the SYNs leave
        // close together.
        List<ProtocolFamily> families = new ArrayList<>(targets.size() * count);
        for (ProbeTarget target : targets) {
          for (int i = 0; i < count; i++) {
            families.add(target.family());
          }
        }
        List<SocketChannel> channels = sockets.open(families);
        for (int n = 0; n < channels.size(); n++) {
          probes.add(new Probe(n / count, n % count, channels.get(n)));
        }
        for (SocketChannel channel : channels) {
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        for (Probe p : probes) {
          send(p, targets.get(p.target), selector, from);
        }
        await(probes, targets, selector, timeout.toNanos(), from);
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("probe round from " + label(from) + " interrupted");
        }
      } finally {
        for (Probe p : probes) {
          closeQuietly(p.channel);
        }
      }
    }
    List<List<Double>> rtts = new ArrayList<>();
    for (int t = 0; t < targets.size(); t++) {
      rtts.add(new ArrayList<>());
    }
    for (Probe p : probes) {
      if (p.rttMs >= 0) {
        rtts.get(p.target).add(p.rttMs);
      }
    }
    List<Result> results = new ArrayList<>(targets.size());
    for (int t = 0; t < targets.size(); t++) {
      results.add(new Result(targets.get(t), count, List.copyOf(rtts.get(t))));
    }
    return results;
  }

  private static void send(Probe p, ProbeTarget target, Selector selector, String from)
      throws IOException {
    p.startNanos = System.nanoTime();
    try {
      if (p.channel.connect(target.socketAddress())) {
        answered(p, System.nanoTime());
      } else {
        p.channel.register(selector, SelectionKey.OP_CONNECT, p);
      }
    } catch (java.net.BindException e) {
      // No local address or port to send from (ephemeral ports used up): the prober's own
      // trouble, not loss on the way to the target, so the round fails instead of counting it.
      throw new IOException(
          "probing from " + label(from) + " cannot open a connection: " + e.getMessage(), e);
    } catch (IOException e) {
      // Refused at once (loopback RST) is an answer; "network is unreachable" (no route) is not.
      finished(p, System.nanoTime(), e, target, from);
    }
  }

  private static void await(
      List<Probe> probes,
      List<ProbeTarget> targets,
      Selector selector,
      long timeoutNanos,
      String from)
      throws IOException {
    while (true) {
      long now = System.nanoTime();
      long earliest = Long.MAX_VALUE;
      for (Probe p : probes) {
        if (!p.done) {
          long deadline = p.startNanos + timeoutNanos;
          if (deadline - now <= 0) {
            p.done = true;
            closeQuietly(p.channel);
            LOG.debug(
                "probe {} from {} to {}: unanswered (no SYN-ACK or RST within {} ms)",
                p.index,
                label(from),
                targets.get(p.target),
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
          } else {
            earliest = Math.min(earliest, deadline - now);
          }
        }
      }
      if (earliest == Long.MAX_VALUE) {
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        // The collector abandoned this call; select() would return at once from now on, and an
        // interrupted channel is closed under us: what is left would look like losses.
        throw new InterruptedIOException("probe round from " + label(from) + " interrupted");
      }
      // select(0) would wait forever: round up to at least 1 ms.
      selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(earliest + 999_999)));
      for (SelectionKey key : selector.selectedKeys()) {
        Probe p = (Probe) key.attachment();
        long at = System.nanoTime();
        try {
          if (p.channel.finishConnect()) {
            answered(p, at);
          }
        } catch (IOException e) {
          finished(p, at, e, targets.get(p.target), from);
        }
      }
      selector.selectedKeys().clear();
    }
  }

  /** The handshake completed: an answer; the connection is reset at once (SO_LINGER 0). */
  private static void answered(Probe p, long atNanos) {
    p.rttMs = (atNanos - p.startNanos) / 1e6;
    p.done = true;
    closeQuietly(p.channel);
  }

  /**
   * The connect failed. A {@link ConnectException} is ECONNREFUSED (a RST, or ICMP port
   * unreachable): the target's kernel answered. Its only other cause, ETIMEDOUT, comes after the
   * kernel's SYN retries (seconds), never within a probe timeout below 1 s. Everything else (no
   * route, host or network unreachable) is a lost probe.
   */
  private static void finished(
      Probe p, long atNanos, IOException e, ProbeTarget target, String from) {
    if (e instanceof ConnectException && !String.valueOf(e.getMessage()).contains("timed out")) {
      answered(p, atNanos);
      return;
    }
    p.done = true;
    closeQuietly(p.channel);
    LOG.debug(
        "probe {} from {} to {}: unanswered ({})", p.index, label(from), target, e.toString());
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the socket is released anyway
    }
  }

  private static String label(String netns) {
    return netns.isEmpty() ? "the host namespace" : netns;
  }
}
