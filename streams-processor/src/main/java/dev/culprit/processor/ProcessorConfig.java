package dev.culprit.processor;

import dev.culprit.processor.decode.ClockReference;
import dev.culprit.processor.lifecycle.LifecycleSettings;
import dev.culprit.processor.rules.packetloss.PacketLossThresholds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the processor needs to run, with defaults for one machine. The topology depends only
 * on the window, counter and rule settings; the rest configures {@link CulpritProcessor}.
 *
 * @param applicationId Kafka Streams application id: consumer group, prefix of internal topics
 * @param bootstrapServers the Kafka cluster
 * @param stateDir where local state stores live
 * @param windowSize tumbling event-time window in which a host's samples are judged together
 * @param grace how long after a window ends late samples are still accepted; its result is emitted
 *     once stream time passes window end + grace
 * @param maxCounterGap a counter delta spanning more than this (collector stopped, namespace
 *     frozen) is not attributed to one window: the sample becomes a new baseline instead
 * @param baselineTtl counter baselines of a (host, netns, source) not seen for this long (deleted
 *     namespace, retired host) are removed from the store; a host with no window judged for this
 *     long loses its packet-loss rule state (drop streaks, the sources of its last window) too
 * @param fleetMinHosts a cause signature seen on at least this many hosts in one window becomes a
 *     fleet incident
 * @param thresholds the rules' judgement calls
 * @param streamsOverrides extra Kafka Streams properties, applied last (e.g. num.stream.threads)
 * @param lifecycle when a cause's episode ends and how often a lasting one is recalled, in windows
 * @param maxClockSkew a sample whose time is further than this ahead of the processor's clock comes
 *     from a host whose clock jumped: it goes to the dead-letter topic instead of moving stream
 *     time (which would make every other host's samples on its partition late)
 * @param clockReference what the processor's clock is: the wall clock live, the record timestamps
 *     in a replay (deterministic)
 * @param fleetWindowBytes the most the fleet windows still taking votes may hold per task (keys,
 *     state, 8 bytes per vote); beyond it windows below the fleet's minimum hosts are forgotten
 *     first, then the oldest are emitted with what they have and take no more votes
 * @param hostSilence how long a host's open windows wait, after its last record arrived, before
 *     they are judged with what they have (its windows otherwise close by its own samples' time): a
 *     collector whose spool holds its samples through an outage shorter than this loses nothing; a
 *     host that stopped has its last windows judged this long after. Measured in stream time (the
 *     partition's, moved by every host), so a replay judges the same. Zero: a host's windows also
 *     close as soon as stream time passes their end plus grace (tests that end a host's samples by
 *     moving time with another host)
 * @param replayScope null live; a replay on the cluster: the range it admits and its own result
 *     topics
 */
public record ProcessorConfig(
    String applicationId,
    String bootstrapServers,
    Path stateDir,
    Duration windowSize,
    Duration grace,
    Duration maxCounterGap,
    Duration baselineTtl,
    int fleetMinHosts,
    PacketLossThresholds thresholds,
    Map<String, String> streamsOverrides,
    LifecycleSettings lifecycle,
    Duration maxClockSkew,
    ClockReference clockReference,
    long fleetWindowBytes,
    Duration hostSilence,
    ReplayScope replayScope) {

  public static final String DEFAULT_APPLICATION_ID = "culprit-processor";
  public static final Duration DEFAULT_WINDOW_SIZE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);
  public static final Duration DEFAULT_MAX_COUNTER_GAP = Duration.ofMinutes(1);
  public static final Duration DEFAULT_BASELINE_TTL = Duration.ofHours(1);
  public static final int DEFAULT_FLEET_MIN_HOSTS = 2;
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  // Per task (one per sample partition). A fleet window of a cause on 10,000 hosts holds ≈ 95 KB
  // (8 bytes a host, the key once per voter bucket): 16 MiB keeps two such causes for the whole
  // host silence and skew in every window, or thousands of causes on tens of hosts; 48 MiB per
  // instance with the default three partitions, a sixteenth of `culprit up`'s 768 MiB heap.
  public static final long DEFAULT_FLEET_WINDOW_BYTES = 16L * 1024 * 1024;
  // Longer than a collector's spool usually holds samples through a broker restart or a network
  // blip, short enough that a dead host's last window is judged within minutes.
  public static final Duration DEFAULT_HOST_SILENCE = Duration.ofMinutes(10);

  public ProcessorConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(thresholds, "thresholds");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(clockReference, "clockReference");
    requirePositive("maxClockSkew", maxClockSkew);
    if (hostSilence == null || hostSilence.isNegative()) {
      throw new IllegalArgumentException(
          "hostSilence must be zero or positive, got " + hostSilence);
    }
    if (fleetWindowBytes < 1) {
      throw new IllegalArgumentException(
          "fleetWindowBytes must be positive, got " + fleetWindowBytes);
    }
    streamsOverrides = Map.copyOf(Objects.requireNonNull(streamsOverrides, "streamsOverrides"));
    if (applicationId.isBlank()) {
      throw new IllegalArgumentException("applicationId must not be blank");
    }
    requirePositive("windowSize", windowSize);
    requirePositive("maxCounterGap", maxCounterGap);
    requirePositive("baselineTtl", baselineTtl);
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("grace must be zero or positive, got " + grace);
    }
    if (windowSize.toMillis() < 1) {
      throw new IllegalArgumentException("windowSize must be at least 1 ms");
    }
    if (fleetMinHosts < 2) {
      throw new IllegalArgumentException("fleetMinHosts must be at least 2, got " + fleetMinHosts);
    }
  }

  /** Defaults for one machine against {@code bootstrapServers}. */
  public static ProcessorConfig defaults(String bootstrapServers) {
    return new ProcessorConfig(
        DEFAULT_APPLICATION_ID,
        bootstrapServers,
        Path.of(System.getProperty("java.io.tmpdir"), "culprit-streams"),
        DEFAULT_WINDOW_SIZE,
        DEFAULT_GRACE,
        DEFAULT_MAX_COUNTER_GAP,
        DEFAULT_BASELINE_TTL,
        DEFAULT_FLEET_MIN_HOSTS,
        PacketLossThresholds.defaults(),
        Map.of(),
        LifecycleSettings.defaults(),
        DEFAULT_MAX_CLOCK_SKEW,
        ClockReference.WALL_CLOCK,
        DEFAULT_FLEET_WINDOW_BYTES,
        DEFAULT_HOST_SILENCE,
        null);
  }

  public ProcessorConfig withApplicationId(String value) {
    return edit(c -> c.applicationId = value);
  }

  public ProcessorConfig withStateDir(Path value) {
    return edit(c -> c.stateDir = value);
  }

  public ProcessorConfig withWindow(Duration size, Duration graceValue) {
    return edit(
        c -> {
          c.windowSize = size;
          c.grace = graceValue;
        });
  }

  public ProcessorConfig withCounterBaselines(Duration maxGap, Duration ttl) {
    return edit(
        c -> {
          c.maxCounterGap = maxGap;
          c.baselineTtl = ttl;
        });
  }

  public ProcessorConfig withThresholds(PacketLossThresholds value) {
    return edit(c -> c.thresholds = value);
  }

  public ProcessorConfig withStreamsOverrides(Map<String, String> value) {
    return edit(c -> c.streamsOverrides = value);
  }

  public ProcessorConfig withLifecycle(LifecycleSettings value) {
    return edit(c -> c.lifecycle = value);
  }

  /** Samples further ahead than {@code max} of the clock {@code reference} are dead letters. */
  public ProcessorConfig withClockSkew(Duration max, ClockReference reference) {
    return edit(
        c -> {
          c.maxClockSkew = max;
          c.clockReference = reference;
        });
  }

  public ProcessorConfig withFleetWindowBytes(long value) {
    return edit(c -> c.fleetWindowBytes = value);
  }

  /** Both at once: each must fit the other ({@code hostSilence} longer than {@code max}). */
  public ProcessorConfig withClockSkew(
      Duration max, ClockReference reference, Duration hostSilenceValue) {
    return edit(
        c -> {
          c.maxClockSkew = max;
          c.clockReference = reference;
          c.hostSilence = hostSilenceValue;
        });
  }

  public ProcessorConfig withHostSilence(Duration value) {
    return edit(c -> c.hostSilence = value);
  }

  public ProcessorConfig withReplayScope(ReplayScope value) {
    return edit(c -> c.replayScope = value);
  }

  /** Where the topology writes (and the view reads back) a result topic of the contract. */
  public String resultTopic(dev.culprit.schemas.Topic<?> topic) {
    return replayScope == null ? topic.name() : replayScope.resultTopic(topic);
  }

  /**
   * This config with {@code change} applied, validated by the canonical constructor: one copy of
   * the field list for every {@code with…}, so a new setting is added in one place.
   */
  private ProcessorConfig edit(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return new ProcessorConfig(
        c.applicationId,
        c.bootstrapServers,
        c.stateDir,
        c.windowSize,
        c.grace,
        c.maxCounterGap,
        c.baselineTtl,
        c.fleetMinHosts,
        c.thresholds,
        c.streamsOverrides,
        c.lifecycle,
        c.maxClockSkew,
        c.clockReference,
        c.fleetWindowBytes,
        c.hostSilence,
        c.replayScope);
  }

  /** The fields of a config, writable, for {@link #edit}. */
  private static final class Copy {
    String applicationId;
    String bootstrapServers;
    Path stateDir;
    Duration windowSize;
    Duration grace;
    Duration maxCounterGap;
    Duration baselineTtl;
    int fleetMinHosts;
    PacketLossThresholds thresholds;
    Map<String, String> streamsOverrides;
    LifecycleSettings lifecycle;
    Duration maxClockSkew;
    ClockReference clockReference;
    long fleetWindowBytes;
    Duration hostSilence;
    ReplayScope replayScope;

    Copy(ProcessorConfig from) {
      applicationId = from.applicationId;
      bootstrapServers = from.bootstrapServers;
      stateDir = from.stateDir;
      windowSize = from.windowSize;
      grace = from.grace;
      maxCounterGap = from.maxCounterGap;
      baselineTtl = from.baselineTtl;
      fleetMinHosts = from.fleetMinHosts;
      thresholds = from.thresholds;
      streamsOverrides = from.streamsOverrides;
      lifecycle = from.lifecycle;
      maxClockSkew = from.maxClockSkew;
      clockReference = from.clockReference;
      fleetWindowBytes = from.fleetWindowBytes;
      hostSilence = from.hostSilence;
      replayScope = from.replayScope;
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
