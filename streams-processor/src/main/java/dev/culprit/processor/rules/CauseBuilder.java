package dev.culprit.processor.rules;

import dev.culprit.processor.rules.packetloss.ProbeSymptoms;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds a root-cause event of one namespace's window: fills what every event shares (host, netns,
 * window, symptoms of the same window including what probing clients saw, a deterministic id) so a
 * rule supplies only what it found.
 */
public final class CauseBuilder {

  private final NetnsWindow window;
  private final Cause cause;
  private final Layer layer;
  private final String location;
  private final Map<String, Object> evidence = new TreeMap<>();
  private double confidence = -1;
  private String summary;
  private String remediation;

  private CauseBuilder(NetnsWindow window, Cause cause, Layer layer, String location) {
    this.window = window;
    this.cause = cause;
    this.layer = layer;
    this.location = location;
  }

  /** An event of {@code cause} at {@code location} in this window. */
  public static CauseBuilder of(NetnsWindow window, Cause cause, Layer layer, String location) {
    return new CauseBuilder(window, cause, layer, location);
  }

  /** Adds one piece of evidence; null values (not reported) are left out, never zero. */
  public CauseBuilder evidence(String name, Object value) {
    if (value != null) {
      if (!(value instanceof Long
          || value instanceof Double
          || value instanceof String
          || value instanceof Boolean)) {
        if (value instanceof Integer i) {
          value = i.longValue();
        } else {
          throw new IllegalArgumentException(
              "evidence " + name + " must be long, double, string or boolean: " + value);
        }
      }
      evidence.put(name, value);
    }
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

  public CauseBuilder remediation(String value) {
    this.remediation = value;
    return this;
  }

  public RootCause build() {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(remediation, "remediation");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalStateException("confidence must be within 0..1, got " + confidence);
    }
    String host = window.host().host();
    long start = window.host().startMs();
    long end = window.host().endMs();
    return RootCause.newBuilder()
        .setEventId(eventId(host, window.netns(), cause, location, start, end))
        .setHost(host)
        .setNetns(window.netns())
        .setWindowStartMs(start)
        .setWindowEndMs(end)
        .setCause(cause)
        .setLayer(layer)
        .setLocation(location)
        .setContainer(null)
        .setConfidence(confidence)
        .setEvidence(new TreeMap<>(evidence))
        .setSymptoms(symptoms())
        .setSummary(summary + ProbeSymptoms.clause(window.probes()))
        .setRemediation(remediation)
        .build();
  }

  /** The window's protocol symptoms, and what probing clients saw when they lost probes. */
  private Map<String, Long> symptoms() {
    Map<String, Long> symptoms = new TreeMap<>(window.symptoms());
    symptoms.putAll(ProbeSymptoms.of(window.probes()));
    return symptoms;
  }

  /** Deterministic: the same cause in the same window of a replay has the same id. */
  static String eventId(
      String host, String netns, Cause cause, String location, long startMs, long endMs) {
    String identity =
        String.join("\u0000", host, netns, cause.name(), location, "" + startMs, "" + endMs);
    return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
