package dev.culprit.processor.rules.packetloss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.probe.ProbeObservation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeSymptomsTest {

  @Test
  void addsNothingWhenEveryProbeCameBack() {
    List<ProbeObservation> probes = List.of(obs("10.0.0.7", 80, "h2", "", 30, 30, 5.0));
    assertThat(ProbeSymptoms.of(probes)).isEmpty();
    assertThat(ProbeSymptoms.clause(probes)).isEmpty();
    assertThat(ProbeSymptoms.of(List.of())).isEmpty();
  }

  @Test
  void sumsEveryProberButNamesOnlyThoseThatLostProbes() {
    List<ProbeObservation> probes =
        List.of(
            obs("10.0.0.7", 80, "h2", "culprit-client", 30, 18, 2.5),
            obs("10.0.0.7", 80, "h3", "", 30, 30, null));
    assertThat(ProbeSymptoms.of(probes))
        .containsEntry("probe.sent", 60L)
        .containsEntry("probe.answered", 48L)
        .containsEntry("probe.clients", 2L)
        .containsEntry("probe.clientsWithLoss", 1L)
        .containsEntry("probe.rttMaxMs", 3L);
    assertThat(ProbeSymptoms.clause(probes))
        .isEqualTo(
            " Probing client h2/culprit-client sees 40 % loss to 10.0.0.7:80 (12 of 30 probes"
                + " unanswered).");
  }

  @Test
  void namesAtMostThreeProbersPerTarget() {
    List<ProbeObservation> probes =
        List.of(
            obs("fd00::7", 443, "a", "", 10, 5, null),
            obs("fd00::7", 443, "b", "", 10, 5, null),
            obs("fd00::7", 443, "c", "", 10, 5, null),
            obs("fd00::7", 443, "d", "", 10, 5, null),
            obs("fd00::7", 443, "e", "x", 10, 5, null));
    assertThat(ProbeSymptoms.of(probes)).doesNotContainKey("probe.rttMaxMs");
    assertThat(ProbeSymptoms.clause(probes))
        .isEqualTo(
            " Probing clients a, b, c and 2 more see 50 % loss to [fd00::7]:443 (25 of 50 probes"
                + " unanswered).");
  }

  private static ProbeObservation obs(
      String address, int port, String host, String netns, long sent, long answered, Double max) {
    return ProbeObservation.newBuilder()
        .setTargetNetns("web-1")
        .setTargetAddress(address)
        .setTargetPort(port)
        .setProberHost(host)
        .setProberNetns(netns)
        .setRounds(1)
        .setSent(sent)
        .setAnswered(answered)
        .setRttMaxMs(max)
        .setFirstSampleMs(0)
        .setLastSampleMs(0)
        .build();
  }
}
