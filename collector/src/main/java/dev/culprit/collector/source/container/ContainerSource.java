package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.docker.DockerClient;
import dev.culprit.collector.platform.docker.DockerContainer;
import dev.culprit.collector.platform.docker.DockerEvent;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.NetnsKind;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.container.jvm.JvmInspector;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NetnsName;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container source: every container and limited cgroup of the host, from the cgroup filesystem
 * (runtime-agnostic, v1 and v2), enriched by the Docker Engine when its socket exists, with the
 * JVMs inside. Publishes one periodic {@link ContainerSample} per collect, plus one sample per
 * {@code oom} / {@code die} engine event captured the moment the event arrived ({@code trigger}
 * set), because the cgroup of an exited container vanishes before the next cycle.
 *
 * <p>Threads: the engine event follower is a daemon thread, started by the first {@link #collect}
 * (or {@link #start()}) and stopped by {@link #close()}.
 */
public final class ContainerSource implements Source, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerSource.class);

  /** Triggered samples kept between collects; the oldest are dropped past this. */
  private static final int TRIGGERED_CAPACITY = 1024;

  /** How long the last JVMs of a vanished container are kept for a late die event. */
  private static final long JVM_MEMORY_MS = 10 * 60_000L;

  private final HostPaths paths;
  private final ContainerSourceConfig config;
  private final Clock clock;
  private final Map<String, String> cgroupById = new ConcurrentHashMap<>();
  private final Map<String, SeenJvms> lastJvmsById = new ConcurrentHashMap<>();
  private final ArrayDeque<Captured> triggered = new ArrayDeque<>();

  private CgroupScanner scanner;
  private CgroupReader reader;
  private JvmInspector jvmProbe;
  private PodLogDirectory podLogs;
  private PodLogDirectory.Snapshot pods;
  private EngineState engine;
  private DockerEventFollower follower;
  private boolean started;
  private boolean closed;
  private long droppedTriggered;

  /** The JVMs last found in a container, kept a while after it vanished for its oom/die sample. */
  private record SeenJvms(List<JvmInspector.Jvm> jvms, long seenAtMs) {}

  /** A sample captured on an engine event, waiting for the next collect. */
  private record Captured(String trigger, long timeMs, ContainerStats stats) {}

  private volatile Map<Integer, NetnsName> labelByPid = Map.of();

  public ContainerSource(HostPaths paths, ContainerSourceConfig config) {
    this(paths, config, Clock.systemUTC());
  }

  ContainerSource(HostPaths paths, ContainerSourceConfig config, Clock clock) {
    this.paths = Objects.requireNonNull(paths, "paths");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String name() {
    return "container";
  }

  @Override
  public Scope scope() {
    return Scope.HOST;
  }

  /**
   * Detects the cgroup layout and, when the engine socket exists, starts following its events.
   * Idempotent; {@link #collect} calls it.
   *
   * @throws dev.culprit.collector.spi.NoDataException when there is no memory or cpu cgroup
   *     controller
   */
  public synchronized void start() throws Exception {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (started) {
      return;
    }
    CgroupLayout layout = CgroupLayout.detect(paths.cgroupRoot());
    scanner = new CgroupScanner(layout);
    reader = CgroupReader.forLayout(layout);
    podLogs = new PodLogDirectory(config.podLogDir());
    if (config.probeJvms()) {
      jvmProbe = new JvmInspector(paths.procRoot());
    }
    if (config.dockerSocket() != null && Files.exists(config.dockerSocket())) {
      DockerClient client = new DockerClient(config.dockerSocket(), config.dockerTimeout());
      engine = new EngineState(client);
      follower =
          new DockerEventFollower(
              client, config.lookBack(), config.oomDedupWindow(), this::onEvent);
      follower.start();
    } else if (config.dockerSocket() != null) {
      LOG.info("no Docker Engine socket at {}: sampling cgroups only", config.dockerSocket());
    }
    started = true;
  }

  /** Whether the engine's event stream is connected (false without an engine). */
  public boolean isFollowingEngine() {
    DockerEventFollower f = follower;
    return f != null && f.isConnected();
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    start();
    List<ContainerStats> all = new ArrayList<>();
    Set<String> alive = new HashSet<>();
    Map<String, String> seen = new java.util.HashMap<>();
    pods = podLogs.read();
    for (CgroupScanner.Entry entry : scanner.scan()) {
      String id = entry.container().map(ContainerRef::id).orElse(entry.cgroupPath());
      String runtime =
          entry
              .container()
              .map(ContainerRef::runtime)
              .orElse(ContainerStatsBuilder.plainRuntime(entry.cgroupPath()));
      Optional<ContainerStats> stats = snapshot(id, runtime, entry.cgroupPath(), false);
      if (stats.isPresent()) {
        all.add(stats.get());
        alive.add(id);
        seen.put(id, entry.cgroupPath());
      }
    }
    // Ids the follower indexed after the walk passed them stay; destroy events remove the rest.
    cgroupById.putAll(seen);
    if (cgroupById.size() > 4 * seen.size() + 1024) {
      cgroupById.keySet().retainAll(seen.keySet());
    }
    // Not "retain alive": a container that just died may still get its die event after this scan.
    long now = clock.millis();
    lastJvmsById.values().removeIf(j -> now - j.seenAtMs() > JVM_MEMORY_MS);
    if (engine != null) {
      engine.retainOnly(alive);
    }
    labelByPid = labels(all);
    List<Sample> samples = new ArrayList<>();
    for (Captured c : drainTriggered()) {
      samples.add(sample(header, c.timeMs(), c.trigger(), List.of(c.stats())));
    }
    samples.add(sample(header, header.sampleTimeMs(), null, all));
    return samples;
  }

  /**
   * The container a host pid ran in at the last scan, as a namespace label: the engine's name, or
   * runtime and short id. The namespace finder labels a container's network namespace with it.
   */
  public Optional<String> labelForPid(int pid) {
    return netnsNameForPid(pid).map(NetnsName::label);
  }

  /**
   * {@link #labelForPid} with what it names: a Docker container when the Docker engine gave the
   * name (so {@code docker inspect NAME} finds it when a fix is pasted); unknown for another
   * runtime's short id, which no command of ours resolves.
   */
  public Optional<NetnsName> netnsNameForPid(int pid) {
    return Optional.ofNullable(labelByPid.get(pid));
  }

  private static Map<Integer, NetnsName> labels(List<ContainerStats> all) {
    Map<Integer, NetnsName> out = new java.util.HashMap<>();
    for (ContainerStats c : all) {
      if (c.getRuntime().equals("cgroup") || c.getRuntime().equals("systemd")) {
        continue; // a plain cgroup is not a container with a network namespace of its own
      }
      NetnsName name =
          c.getName() != null
              ? new NetnsName(
                  c.getName(), c.getRuntime().equals("docker") ? NetnsKind.DOCKER_CONTAINER : null)
              : new NetnsName(
                  c.getRuntime() + "-" + c.getId().substring(0, Math.min(12, c.getId().length())),
                  null);
      c.getPids().forEach(pid -> out.put(pid, name));
    }
    return Map.copyOf(out);
  }

  /** Triggered samples dropped because nobody collected in time. */
  public synchronized long droppedTriggeredSamples() {
    return droppedTriggered;
  }

  @Override
  public void close() {
    DockerEventFollower f;
    synchronized (this) {
      closed = true;
      f = follower;
      follower = null;
    }
    if (f != null) {
      f.close();
    }
  }

  /** Handles an engine event on the follower thread: capture now, before the cgroup vanishes. */
  private void onEvent(DockerEvent event) {
    String id = event.containerId();
    switch (event.action()) {
      case "oom", "die" -> {
        String cgroupPath = cgroupById.getOrDefault(id, "/docker/" + id);
        String runtime =
            ContainerRef.fromCgroupPath(cgroupPath).map(ContainerRef::runtime).orElse("docker");
        Optional<ContainerStats> stats = snapshot(id, runtime, cgroupPath, true);
        stats.ifPresent(s -> enqueue(new Captured(event.action(), clock.millis(), s)));
      }
      case "start", "restart" -> {
        engine.refresh(id);
        indexCgroup(id);
      }
      case "unpause", "pause" -> engine.refresh(id);
      case "destroy" -> {
        engine.forget(id);
        cgroupById.remove(id);
        lastJvmsById.remove(id);
      }
      default -> {
        // create, attach, exec_*, kill, stop, ...: the periodic sample shows their effect.
      }
    }
  }

  /**
   * Reads one container now.
   *
   * @param onEvent true on an engine event: the engine is asked afresh (its state just changed),
   *     the cgroup may be gone already (then the sample carries the engine's state and the last
   *     known JVMs)
   * @return empty when neither the cgroup nor the engine knows the container
   */
  private Optional<ContainerStats> snapshot(
      String id, String runtime, String cgroupPath, boolean onEvent) {
    CgroupCounters counters = null;
    try {
      counters = reader.read(cgroupPath);
    } catch (CgroupGoneException e) {
      // Exited: normal. The engine still tells its final state.
    } catch (IOException e) {
      LOG.warn("cannot read cgroup {}: {}", cgroupPath, e.getMessage());
    }
    DockerContainer engineView = null;
    if (engine != null && ContainerRef.fromCgroupPath(cgroupPath).isPresent()) {
      engineView = onEvent ? engine.refresh(id) : engine.get(id);
    }
    if (counters == null && engineView == null) {
      return Optional.empty();
    }
    List<JvmInspector.Jvm> jvms = List.of();
    if (jvmProbe != null && counters != null) {
      jvms = jvmProbe.probe(counters.pids(), counters.memoryLimitBytes());
    }
    SeenJvms seen = lastJvmsById.get(id);
    if (onEvent && seen != null) {
      // The JVM may already be dead when its oom/die event arrives, while a child lives on: add
      // what was last seen of each process no longer there, marked as an earlier read.
      jvms = withVanished(jvms, seen.jvms());
    }
    if (!jvms.isEmpty()) {
      lastJvmsById.put(id, new SeenJvms(jvms, clock.millis()));
    }
    ContainerStats stats =
        ContainerStatsBuilder.build(
            id, runtime, counters == null ? null : cgroupPath, counters, engineView, jvms);
    return Optional.of(withPod(stats, cgroupPath));
  }

  /** The stats with the pod and container the kubelet's log directories name, on a node. */
  private ContainerStats withPod(ContainerStats stats, String cgroupPath) {
    PodLogDirectory.Snapshot snapshot = pods;
    Optional<String> uid = KubeletCgroupPath.podUid(cgroupPath);
    if (uid.isEmpty()) {
      return stats;
    }
    String containerId = ContainerRef.fromCgroupPath(cgroupPath).map(ContainerRef::id).orElse(null);
    Optional<PodLogDirectory.Named> named =
        snapshot == null ? Optional.empty() : snapshot.name(uid.get(), containerId);
    ContainerStats.Builder b = ContainerStats.newBuilder(stats).setPodUid(uid.get());
    named.ifPresent(
        n -> b.setPodNamespace(n.namespace()).setPodName(n.pod()).setContainerName(n.container()));
    return b.build();
  }

  /** {@code now}, plus each of {@code before} whose process (pid, start time) is not in it. */
  static List<JvmInspector.Jvm> withVanished(
      List<JvmInspector.Jvm> now, List<JvmInspector.Jvm> before) {
    List<JvmInspector.Jvm> merged = new ArrayList<>(now);
    for (JvmInspector.Jvm old : before) {
      boolean present =
          now.stream()
              .anyMatch(
                  j ->
                      j.pid() == old.pid()
                          && Objects.equals(j.startTimeTicks(), old.startTimeTicks()));
      if (!present) {
        merged.add(
            new JvmInspector.Jvm(
                old.pid(), old.nsPid(), old.startTimeTicks(), old.heap(), null, true));
      }
    }
    return merged;
  }

  /**
   * Finds a just-started container's cgroup at once, so an oom or die before the next cycle still
   * reads the right directory (the layout varies: /docker/ID, /system.slice/docker-ID.scope, a
   * --cgroup-parent of the engine's).
   */
  private void indexCgroup(String id) {
    if (cgroupById.containsKey(id)) {
      return;
    }
    try {
      for (CgroupScanner.Entry entry : scanner.scan()) {
        entry
            .container()
            .filter(c -> c.id().equals(id))
            .ifPresent(c -> cgroupById.put(id, entry.cgroupPath()));
      }
    } catch (IOException e) {
      LOG.debug("cannot scan cgroups for {}: {}", id, e.toString());
    }
  }

  private synchronized void enqueue(Captured c) {
    if (triggered.size() >= TRIGGERED_CAPACITY) {
      triggered.removeFirst();
      droppedTriggered++;
    }
    triggered.addLast(c);
  }

  private synchronized List<Captured> drainTriggered() {
    List<Captured> out = new ArrayList<>(triggered);
    triggered.clear();
    return out;
  }

  private static Sample sample(Header h, long timeMs, String trigger, List<ContainerStats> stats) {
    ContainerSample value =
        ContainerSample.newBuilder()
            .setHost(h.host())
            .setNetns("")
            .setSampleTimeMs(timeMs)
            .setCollectorId(h.collectorId())
            .setBootId(h.bootId())
            .setSeq(0L)
            .setTrigger(trigger)
            .setContainers(new ArrayList<>(stats))
            .build();
    return new Sample(WireTopics.CONTAINER, h.host(), value);
  }
}
