package dev.culprit.app.alert;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns culprit results into Alertmanager API v2 alerts ({@code postableAlert}). An alert's
 * identity in Alertmanager is its label set, so the labels name the episode exactly (cause,
 * signature, host, netns, container) and nothing that changes while it lasts; what changes goes in
 * the annotations.
 */
final class Alerts {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** A fleet incident alert stays firing this many of its windows after the last incident. */
  static final int FLEET_HOLD_WINDOWS = 3;

  private Alerts() {}

  /**
   * The alert of a transition: firing (no endsAt: Alertmanager holds it for its resolve_timeout,
   * and the bridge re-sends it) for STARTED and ONGOING, resolved at the end of the last window the
   * cause was seen in for ENDED.
   */
  static ObjectNode of(CauseTransition t) {
    RootCause c = t.getLatest();
    Map<String, String> labels = new TreeMap<>();
    labels.put("alertname", t.getCause().name());
    labels.put("host", t.getHost());
    labels.put("netns", t.getNetns().isEmpty() ? "host" : t.getNetns());
    if (t.getContainer() != null) {
      labels.put("container", t.getContainer());
    }
    // Kubernetes' own label names, so routes and silences written for kube-state-metrics fit.
    putEvidence(labels, "namespace", c, "podNamespace");
    putEvidence(labels, "pod", c, "pod");
    putEvidence(labels, "pod_container", c, "podContainer");
    labels.put("signature", t.getSignature());
    labels.put("severity", severity(t.getCause()));
    labels.put("source", "culprit");

    Map<String, String> annotations = new TreeMap<>();
    annotations.put("summary", c.getSummary());
    annotations.put("remediation", c.getRemediation());
    annotations.put("location", c.getLocation());
    annotations.put("evidence", evidence(c.getEvidence()));
    annotations.put("windows_seen", Integer.toString(t.getWindowsSeen()));
    annotations.put("duration_seconds", Long.toString(t.getDurationMs() / 1000));
    if (!t.getTotals().isEmpty()) {
      annotations.put("totals", evidence(t.getTotals()));
    }
    annotations.put("episode_id", t.getEpisodeId());

    ObjectNode alert = alert(labels, annotations, t.getFirstWindowStartMs());
    if (t.getState() == CauseState.ENDED) {
      alert.put("endsAt", iso(t.getLastWindowEndMs()));
    }
    return alert;
  }

  /** A label from a string in the cause's evidence, when it is there. */
  private static void putEvidence(
      Map<String, String> labels, String label, RootCause c, String evidenceKey) {
    Object value = c == null ? null : c.getEvidence().get(evidenceKey);
    if (value instanceof CharSequence text) {
      labels.put(label, text.toString());
    }
  }

  /**
   * One alert for the whole fleet, whatever the number of hosts: its labels hold no host. Fleet
   * incidents come per window, so the alert ends by itself {@link #FLEET_HOLD_WINDOWS} windows
   * after the last one unless another incident of the signature extends it.
   */
  static ObjectNode of(FleetIncident f) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("alertname", f.getCause().name());
    labels.put("scope", "fleet");
    labels.put("signature", f.getSignature());
    labels.put("severity", severity(f.getCause()));
    labels.put("source", "culprit");
    Map<String, String> annotations = new TreeMap<>();
    annotations.put("summary", f.getSummary());
    annotations.put("host_count", Integer.toString(f.getHostCount()));
    annotations.put("hosts", String.join(", ", f.getHosts()));
    ObjectNode alert = alert(labels, annotations, f.getWindowStartMs());
    long windowMs = Math.max(1, f.getWindowEndMs() - f.getWindowStartMs());
    alert.put("endsAt", iso(fleetEndsAtMs(f, windowMs)));
    return alert;
  }

  /**
   * Whether a fleet alert may replace {@code previous} (the one of the same labels sent last): not
   * when it is for an older window. A fleet window is emitted again when late votes change its
   * count, minutes after newer windows of the signature; its {@code endsAt} is then in the past,
   * and sending it would resolve the alert the newer window keeps firing.
   */
  static boolean supersedes(ObjectNode alert, ObjectNode previous) {
    if (previous == null || !previous.has("endsAt") || !alert.has("endsAt")) {
      return true;
    }
    return !Instant.parse(alert.get("endsAt").asText())
        .isBefore(Instant.parse(previous.get("endsAt").asText()));
  }

  static long fleetEndsAtMs(FleetIncident f, long windowMs) {
    return f.getWindowEndMs() + FLEET_HOLD_WINDOWS * windowMs;
  }

  // Memory exhaustion kills processes: page someone. A throttled container is slow, not down.
  static String severity(Cause cause) {
    return cause == Cause.CPU_THROTTLED ? "warning" : "critical";
  }

  private static ObjectNode alert(
      Map<String, String> labels, Map<String, String> annotations, long startsAtMs) {
    ObjectNode alert = JSON.objectNode();
    ObjectNode l = alert.putObject("labels");
    labels.forEach(l::put);
    ObjectNode a = alert.putObject("annotations");
    annotations.forEach(a::put);
    alert.put("startsAt", iso(startsAtMs));
    return alert;
  }

  private static String evidence(Map<String, ?> values) {
    return new TreeMap<>(values)
        .entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }

  static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
