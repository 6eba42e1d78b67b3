package dev.culprit.collector.runtime;

import dev.culprit.collector.platform.Require;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.publish.KafkaPublisher;
import dev.culprit.collector.publish.spool.Spool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Everything a collector run is configured with; immutable, made with {@link #builder()}.
 *
 * @param hostId the key of every record and the {@code host} field (default: the hostname)
 * @param collectorId this run's id (default: a random UUID, new per start)
 * @param interval time between cycles; cycles start on wall-clock multiples of it (default 5 s)
 * @param sourceTimeout how long one source may take in one namespace (default 3/4 of the interval)
 * @param maxConcurrentSources source calls running at once (default 4)
 * @param enabledSources names of the sources to run; empty = all
 * @param netnsFilter which namespaces to sample
 * @param hostPaths where procfs, sysfs, netns, cgroups and kmsg are mounted
 * @param spoolDir the on-disk spool (default {@code ~/.culprit/spool})
 * @param spoolMaxBytes the spool's bound (default 64 MiB)
 * @param spoolMaxAge spooled records older than this are dropped, counted, not sent; null (the
 *     builder's default, for tests and tools that publish recorded samples): none. The command
 *     line's default is {@link KafkaPublisher#DEFAULT_SPOOL_MAX_AGE}, below the contract topics'
 *     7-day sample retention
 * @param bootstrapServers Kafka (default {@code localhost:9092})
 * @param producerOverrides producer properties that replace the collector's own
 */
public record CollectorConfig(
    String hostId,
    String collectorId,
    Duration interval,
    Duration sourceTimeout,
    int maxConcurrentSources,
    Set<String> enabledSources,
    NetnsFilter netnsFilter,
    HostPaths hostPaths,
    Path spoolDir,
    long spoolMaxBytes,
    Duration spoolMaxAge,
    String bootstrapServers,
    Map<String, String> producerOverrides) {

  /** Shortest interval accepted: below it cycles would mostly measure themselves. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  public CollectorConfig {
    Require.nonNull(
        "hostId",
        hostId,
        "collectorId",
        collectorId,
        "interval",
        interval,
        "sourceTimeout",
        sourceTimeout,
        "netnsFilter",
        netnsFilter,
        "hostPaths",
        hostPaths,
        "spoolDir",
        spoolDir,
        "bootstrapServers",
        bootstrapServers);
    if (spoolMaxAge != null && (spoolMaxAge.isNegative() || spoolMaxAge.isZero())) {
      throw new IllegalArgumentException("spool max age must be positive: " + spoolMaxAge);
    }
    if (hostId.isBlank()) {
      throw new IllegalArgumentException("host id must not be blank");
    }
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "interval " + interval + " is shorter than the minimum " + MIN_INTERVAL);
    }
    if (sourceTimeout.isNegative()
        || sourceTimeout.isZero()
        || sourceTimeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          "source timeout "
              + sourceTimeout
              + " must be positive and at most the interval "
              + interval);
    }
    if (maxConcurrentSources < 1) {
      throw new IllegalArgumentException("at least one source call must run at a time");
    }
    enabledSources = Set.copyOf(enabledSources);
    producerOverrides = Map.copyOf(producerOverrides);
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Opens the Kafka publisher this configuration describes (spool, broker, producer). */
  public KafkaPublisher openKafkaPublisher() throws IOException {
    return KafkaPublisher.open(
        bootstrapServers,
        producerOverrides,
        "culprit-collector-" + hostId,
        spoolDir,
        spoolMaxBytes,
        spoolMaxAge);
  }

  /** Builds a {@link CollectorConfig}; unset fields get their defaults at {@link #build()}. */
  public static final class Builder {
    private String hostId;
    private String collectorId;
    private Duration interval = Duration.ofSeconds(5);
    private Duration sourceTimeout;
    private int maxConcurrentSources = 4;
    private final Set<String> enabledSources = new LinkedHashSet<>();
    private NetnsFilter netnsFilter = NetnsFilter.all();
    private HostPaths hostPaths = HostPaths.defaults();
    private Path spoolDir = Path.of(System.getProperty("user.home"), ".culprit", "spool");
    private long spoolMaxBytes = Spool.DEFAULT_MAX_BYTES;
    private Duration spoolMaxAge;
    private String bootstrapServers = "localhost:9092";
    private final Map<String, String> producerOverrides = new LinkedHashMap<>();

    private Builder() {}

    public Builder hostId(String value) {
      this.hostId = value;
      return this;
    }

    public Builder collectorId(String value) {
      this.collectorId = value;
      return this;
    }

    public Builder interval(Duration value) {
      this.interval = value;
      return this;
    }

    public Builder sourceTimeout(Duration value) {
      this.sourceTimeout = value;
      return this;
    }

    public Builder maxConcurrentSources(int value) {
      this.maxConcurrentSources = value;
      return this;
    }

    /** Only these sources run (by name); none given = all. */
    public Builder enabledSources(Iterable<String> names) {
      enabledSources.clear();
      names.forEach(enabledSources::add);
      return this;
    }

    public Builder netnsFilter(NetnsFilter value) {
      this.netnsFilter = value;
      return this;
    }

    /** Shorthand for a {@link NetnsFilter} of include and exclude globs. */
    public Builder netns(List<String> include, List<String> exclude) {
      this.netnsFilter = new NetnsFilter(include, exclude);
      return this;
    }

    public Builder hostPaths(HostPaths value) {
      this.hostPaths = value;
      return this;
    }

    public Builder spoolDir(Path value) {
      this.spoolDir = value;
      return this;
    }

    public Builder spoolMaxBytes(long value) {
      this.spoolMaxBytes = value;
      return this;
    }

    public Builder spoolMaxAge(Duration value) {
      this.spoolMaxAge = value;
      return this;
    }

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    /** One producer property that replaces the collector's setting. */
    public Builder producerOverride(String key, String value) {
      producerOverrides.put(key, value);
      return this;
    }

    public Builder producerOverrides(Map<String, String> values) {
      producerOverrides.putAll(values);
      return this;
    }

    /** The configuration; fills in the host id, collector id and source timeout if unset. */
    public CollectorConfig build() {
      return new CollectorConfig(
          hostId != null ? hostId : HostIdentity.defaultHostId(hostPaths),
          collectorId != null ? collectorId : UUID.randomUUID().toString(),
          interval,
          sourceTimeout != null ? sourceTimeout : interval.multipliedBy(3).dividedBy(4),
          maxConcurrentSources,
          enabledSources,
          netnsFilter,
          hostPaths,
          spoolDir,
          spoolMaxBytes,
          spoolMaxAge,
          bootstrapServers,
          producerOverrides);
    }
  }
}
