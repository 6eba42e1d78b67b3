package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcNetSnmp;
import dev.culprit.lab.oracle.ProcNetTcp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A server that stops accepting: {@link StuckListener} listens in the server namespace with a tiny
 * backlog and never calls {@code accept()}, and every client tries to connect to it a few times a
 * second. Once its accept queue is full the kernel drops each further SYN and counts it in TcpExt
 * {@code ListenOverflows} and {@code ListenDrops}.
 *
 * @param port the stuck listener's port (not the lab's 80 or 7007)
 * @param backlog its {@code listen()} backlog; the queue holds backlog + 1 connections
 */
public record ListenOverflowFault(int port, int backlog) implements NetworkFault {

  public static final String DEFAULT_PORT = "8081";
  public static final String DEFAULT_BACKLOG = "1";
  static final String LISTENER_ROLE = "web-stuck-listener";
  private static final String CLIENT_ROLE_SUFFIX = "-overflow";
  private static final Duration LISTEN_WAIT = Duration.ofSeconds(20);

  public ListenOverflowFault {
    if (port < 1
        || port > 65535
        || port == LabTopology.HTTP_PORT
        || port == LabTopology.ECHO_PORT) {
      throw new LabException(
          "--port must be a free TCP port other than the lab's "
              + LabTopology.HTTP_PORT
              + " and "
              + LabTopology.ECHO_PORT
              + ", not "
              + port);
    }
    if (backlog < 0 || backlog > 128) {
      throw new LabException(
          "--backlog must be between 0 and 128 (tiny is the point), not " + backlog);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.LISTEN_OVERFLOW;
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "a listener on %s:%d with backlog %d that never accepts, and every client connecting to it",
        LabTopology.WEB_ADDRESS,
        port,
        backlog);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    clear(lab);
    Path log = lab.stateDir().resolve("logs").resolve(LISTENER_ROLE + ".log");
    lab.start(
        LISTENER_ROLE,
        LabTopology.WEB_NS,
        Workloads.stuckListener(port, backlog),
        FaultKind.LISTEN_OVERFLOW,
        log);
    boolean listening =
        LabContext.await(LISTEN_WAIT, () -> lab.listening(LabTopology.WEB_NS, port));
    if (!listening) {
      throw new LabException("the stuck listener did not listen on port " + port + "; see " + log);
    }
    Workloads workloads = new Workloads(lab.tools());
    for (LabTopology.Endpoint client : new LabTopology(lab.state().clients()).clientEndpoints()) {
      lab.start(
          roleOf(client),
          client.netns(),
          workloads.overflowLoop(port),
          FaultKind.LISTEN_OVERFLOW,
          null);
    }
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    lab.stop(
        p -> FaultKind.LISTEN_OVERFLOW.cliName().equals(p.fault()),
        role -> role.equals(LISTENER_ROLE) || role.endsWith(CLIENT_ROLE_SUFFIX));
  }

  @Override
  public String evidence(LabContext lab) {
    String ns = LabTopology.WEB_NS;
    Map<String, Long> netstat = ProcNetSnmp.parse(lab.readInNetns(ns, "/proc/net/netstat"));
    long queue = ProcNetTcp.acceptQueue(lab.readInNetns(ns, "/proc/net/tcp"), port);
    return String.format(
        Locale.ROOT,
        "port %d accept queue %s; TcpExt ListenOverflows %d, ListenDrops %d",
        port,
        queue < 0 ? "(not listening)" : Long.toString(queue),
        netstat.getOrDefault("TcpExt.ListenOverflows", 0L),
        netstat.getOrDefault("TcpExt.ListenDrops", 0L));
  }

  private static String roleOf(LabTopology.Endpoint client) {
    return client.netns().substring("culprit-".length()) + CLIENT_ROLE_SUFFIX;
  }
}
