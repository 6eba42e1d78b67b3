package dev.culprit.app.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The labels that make an alert's identity, and what changes between its sends. */
class AlertsTest {

  @Test
  void aContainerCauseOfTheHostsOwnNamespaceIsLabelledWithTheContainerAndHost() {
    ObjectNode alert = Alerts.of(transition(CauseState.STARTED, "", "c0ffee"));

    assertThat(alert.get("labels").get("netns").asText()).isEqualTo("host");
    assertThat(alert.get("labels").get("container").asText()).isEqualTo("c0ffee");
    assertThat(alert.get("labels").get("severity").asText()).isEqualTo("warning");
    assertThat(alert.has("endsAt")).as("firing: Alertmanager holds it").isFalse();
    assertThat(alert.get("startsAt").asText()).isEqualTo("1970-01-01T00:00:10Z");
  }

  @Test
  void anEndedCauseEndsAtTheEndOfItsLastWindowWithTheSameLabels() {
    ObjectNode started = Alerts.of(transition(CauseState.STARTED, "web-1", null));
    ObjectNode ended = Alerts.of(transition(CauseState.ENDED, "web-1", null));

    assertThat(ended.get("labels")).isEqualTo(started.get("labels"));
    assertThat(ended.get("labels").has("container")).isFalse();
    assertThat(ended.get("endsAt").asText()).isEqualTo("1970-01-01T00:01:10Z");
    assertThat(ended.get("annotations").get("totals").asText()).isEqualTo("throttledPeriods=40");
  }

  @Test
  void aCauseInAKubernetesPodIsLabelledWithItsNamespacePodAndContainer() {
    CauseTransition t = transition(CauseState.STARTED, "", "c0ffee");
    t.getLatest()
        .setEvidence(Map.of("podNamespace", "shop", "pod", "cart-7d9f", "podContainer", "tomcat"));

    ObjectNode labels = (ObjectNode) Alerts.of(t).get("labels");

    assertThat(labels.get("namespace").asText()).isEqualTo("shop");
    assertThat(labels.get("pod").asText()).isEqualTo("cart-7d9f");
    assertThat(labels.get("pod_container").asText()).isEqualTo("tomcat");
    assertThat(Alerts.of(transition(CauseState.STARTED, "", "c0ffee")).get("labels").has("pod"))
        .as("off Kubernetes")
        .isFalse();
  }

  private static CauseTransition transition(CauseState state, String netns, String container) {
    RootCause latest =
        RootCause.newBuilder()
            .setEventId("e")
            .setHost("vm")
            .setNetns(netns)
            .setWindowStartMs(60_000)
            .setWindowEndMs(70_000)
            .setCause(Cause.CPU_THROTTLED)
            .setLayer(Layer.CPU)
            .setLocation("tomcat")
            .setContainer(container)
            .setConfidence(1.0)
            .setEvidence(Map.of("throttledPeriods", 10L))
            .setSymptoms(Map.of())
            .setSummary("tomcat is throttled")
            .setRemediation("docker update --cpus 1 tomcat")
            .build();
    return CauseTransition.newBuilder()
        .setTransitionId("t-" + state)
        .setEpisodeId("e")
        .setState(state)
        .setSignature("CPU_THROTTLED tomcat")
        .setHost("vm")
        .setNetns(netns)
        .setContainer(container)
        .setCause(Cause.CPU_THROTTLED)
        .setFirstWindowStartMs(10_000)
        .setLastWindowEndMs(70_000)
        .setDecidedWindowEndMs(100_000)
        .setWindowsSeen(4)
        .setDurationMs(60_000)
        .setTotals(state == CauseState.ENDED ? Map.of("throttledPeriods", 40L) : Map.of())
        .setLatest(latest)
        .build();
  }

  @Test
  void anOlderFleetWindowCountedAgainDoesNotReplaceTheNewerOnesAlert() {
    var newer = Alerts.of(fleet(1_700_000_020_000L, 3));
    var olderUpdate = Alerts.of(fleet(1_700_000_010_000L, 4));
    var sameWindowUpdate = Alerts.of(fleet(1_700_000_020_000L, 5));
    assertThat(Alerts.supersedes(olderUpdate, newer)).isFalse();
    assertThat(Alerts.supersedes(sameWindowUpdate, newer)).isTrue();
    assertThat(Alerts.supersedes(newer, olderUpdate)).isTrue();
    assertThat(Alerts.supersedes(newer, null)).isTrue();
  }

  private static dev.culprit.schemas.FleetIncident fleet(long windowStartMs, int hosts) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      names.add("web-" + i);
    }
    return dev.culprit.schemas.FleetIncident.newBuilder()
        .setSignature("FIREWALL_DROP filter INPUT -j DROP")
        .setCause(dev.culprit.schemas.Cause.FIREWALL_DROP)
        .setWindowStartMs(windowStartMs)
        .setWindowEndMs(windowStartMs + 10_000)
        .setHostCount(hosts)
        .setHosts(names)
        .setSummary("FIREWALL_DROP on " + hosts + " hosts")
        .build();
  }
}
