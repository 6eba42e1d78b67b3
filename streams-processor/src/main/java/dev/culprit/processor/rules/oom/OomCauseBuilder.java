package dev.culprit.processor.rules.oom;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds a root-cause event of one container: host, the container's name as netns, its id, a
 * deterministic event id (so a replay yields the same ids) and typed evidence.
 */
final class OomCauseBuilder {

  private final String host;
  private final Cause cause;
  private final Layer layer;
  private final String location;
  private final String identity;
  private final Map<String, Object> evidence = new TreeMap<>();
  private String netns = "";
  private String container;
  private long windowStartMs;
  private long windowEndMs;
  private double confidence = -1;
  private String summary;
  private String remediation;

  /**
   * @param identity what makes this event unique besides host, cause and location (the kill's
   *     kernel sequence number, a window start)
   */
  OomCauseBuilder(String host, Cause cause, Layer layer, String location, String identity) {
    this.host = Objects.requireNonNull(host, "host");
    this.cause = Objects.requireNonNull(cause, "cause");
    this.layer = Objects.requireNonNull(layer, "layer");
    this.location = Objects.requireNonNull(location, "location");
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  OomCauseBuilder netns(String value) {
    this.netns = value == null ? "" : value;
    return this;
  }

  OomCauseBuilder container(String value) {
    this.container = value;
    return this;
  }

  OomCauseBuilder window(long startMs, long endMs) {
    this.windowStartMs = startMs;
    this.windowEndMs = Math.max(endMs, startMs + 1);
    return this;
  }

  /** Adds one piece of evidence; null (not known) is left out, never zero. */
  OomCauseBuilder evidence(String name, Object value) {
    if (value == null) {
      return this;
    }
    if (value instanceof Integer i) {
      value = i.longValue();
    }
    if (!(value instanceof Long
        || value instanceof Double
        || value instanceof String
        || value instanceof Boolean)) {
      throw new IllegalArgumentException(
          "evidence " + name + " must be long, double, string or boolean: " + value);
    }
    evidence.put(name, value);
    return this;
  }

  OomCauseBuilder confidence(double value) {
    this.confidence = value;
    return this;
  }

  OomCauseBuilder summary(String value) {
    this.summary = value;
    return this;
  }

  OomCauseBuilder remediation(String value) {
    this.remediation = value;
    return this;
  }

  RootCause build() {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(remediation, "remediation");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalStateException("confidence must be within 0..1, got " + confidence);
    }
    String key = String.join("\u0000", host, cause.name(), location, identity);
    return RootCause.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString())
        .setHost(host)
        .setNetns(netns)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowEndMs)
        .setCause(cause)
        .setLayer(layer)
        .setLocation(location)
        .setContainer(container)
        .setConfidence(confidence)
        .setEvidence(new TreeMap<>(evidence))
        .setSymptoms(new TreeMap<>())
        .setSummary(summary)
        .setRemediation(remediation)
        .build();
  }
}
