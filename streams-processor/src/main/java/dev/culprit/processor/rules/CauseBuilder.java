package dev.culprit.processor.rules;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.rules.packetloss.ProbeSymptoms;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds every root-cause event: fills what events share (host, netns, window, a deterministic id,
 * the fix both as structure and as shell text) so a rule supplies only what it found. The one place
 * an event id is computed.
 */
public final class CauseBuilder {

  private final String host;
  private final Cause cause;
  private final Layer layer;
  private final String location;

  /** What the id is made of; fixed per kind of event so ids of a replay never change. */
  private final List<String> identity;

  private final Map<String, Object> evidence = new TreeMap<>();
  private final Map<String, Long> symptoms;
  private final String summarySuffix;
  private String netns;
  private String container;
  private long windowStartMs;
  private long windowEndMs;
  private double confidence = -1;
  private String summary;
  private Fix fix;

  private CauseBuilder(
      String host,
      Cause cause,
      Layer layer,
      String location,
      List<String> identity,
      Map<String, Long> symptoms,
      String summarySuffix) {
    this.host = Objects.requireNonNull(host, "host");
    this.cause = Objects.requireNonNull(cause, "cause");
    this.layer = Objects.requireNonNull(layer, "layer");
    this.location = Objects.requireNonNull(location, "location");
    this.identity = identity;
    this.symptoms = symptoms;
    this.summarySuffix = summarySuffix;
  }

  /**
   * An event of {@code cause} at {@code location} in one namespace's window, with the window's
   * symptoms (including what probing clients saw). Its id is made of host, netns, cause, location
   * and window.
   */
  public static CauseBuilder of(NetnsWindow window, Cause cause, Layer layer, String location) {
    String host = window.host().host();
    long start = window.host().startMs();
    long end = window.host().endMs();
    Map<String, Long> symptoms = new TreeMap<>(window.symptoms());
    symptoms.putAll(ProbeSymptoms.of(window.probes()));
    CauseBuilder b =
        new CauseBuilder(
            host,
            cause,
            layer,
            location,
            List.of(host, window.netns(), cause.name(), location, "" + start, "" + end),
            symptoms,
            ProbeSymptoms.clause(window.probes()));
    b.netns = window.netns();
    b.windowStartMs = start;
    b.windowEndMs = end;
    return b;
  }

  /**
   * An event of one container or cgroup, which has no network window. Its id is made of host,
   * cause, location and {@code identity}.
   *
   * @param identity what makes this event unique besides host, cause and location (the kill's
   *     kernel sequence number, a window start)
   */
  public static CauseBuilder ofContainer(
      String host, Cause cause, Layer layer, String location, String identity) {
    Objects.requireNonNull(identity, "identity");
    CauseBuilder b =
        new CauseBuilder(
            host,
            cause,
            layer,
            location,
            List.of(host, cause.name(), location, identity),
            new TreeMap<>(),
            "");
    b.netns = "";
    return b;
  }

  /** The event's netns field (a container event uses the container's name). */
  public CauseBuilder netns(String value) {
    this.netns = value == null ? "" : value;
    return this;
  }

  public CauseBuilder container(String value) {
    this.container = value;
    return this;
  }

  /** The span of a container event; never empty, so the end is at least one ms after the start. */
  public CauseBuilder window(long startMs, long endMs) {
    this.windowStartMs = startMs;
    this.windowEndMs = Math.max(endMs, startMs + 1);
    return this;
  }

  /** Adds one piece of evidence; null values (not reported) are left out, never zero. */
  public CauseBuilder evidence(String name, Object value) {
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

  /**
   * Adds fields of a sample as evidence under their schema names, as {@link #evidence} does: a
   * field the sample did not report (null) is left out.
   */
  public CauseBuilder evidenceFrom(GenericRecord sample, String... fields) {
    for (String field : fields) {
      evidence(field, sample.get(field));
    }
    return this;
  }

  /** Adds the window's deltas of these protocol counters as evidence under their kernel names. */
  public CauseBuilder evidence(NetnsWindow window, List<ProtocolCounter> counters) {
    counters.forEach(c -> evidence(c.kernelName(), window.protocol(c)));
    return this;
  }

  public CauseBuilder confidence(double value) {
    this.confidence = value;
    return this;
  }

  public CauseBuilder summary(String value) {
    this.summary = value;
    return this;
  }

  /** The fix, built by {@link Fixes}; the printed remediation is rendered from it. */
  public CauseBuilder fix(Fix value) {
    this.fix = value;
    return this;
  }

  public RootCause build() {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(fix, "fix");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalStateException("confidence must be within 0..1, got " + confidence);
    }
    return RootCause.newBuilder()
        .setEventId(eventId(identity))
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
        .setSymptoms(new TreeMap<>(symptoms))
        .setSummary(summary + summarySuffix)
        .setRemediation(Fixes.render(fix))
        .setFix(fix)
        .build();
  }

  /**
   * Deterministic: the same cause in the same window of a replay has the same id. The fix is not
   * part of it, so improving a remediation never renames an event.
   */
  static String eventId(List<String> identity) {
    String key = String.join("\u0000", identity);
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
