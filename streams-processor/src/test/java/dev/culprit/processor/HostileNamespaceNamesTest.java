package dev.culprit.processor;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.RootCause;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A namespace's name is whatever a local user called it. The host window keeps each namespace's
 * samples under its name and the topic, joined by a NUL: a name holding a NUL and a topic name, a
 * newline or nothing printable must be judged as itself — its cause named after it, no other
 * namespace's samples taken for its own, no dead letter.
 */
class HostileNamespaceNamesTest {

  private static final String DROP =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pod\u0000culprit.samples.filter",
        "pod\u0000",
        "\u0000culprit.samples.filter",
        "pod\n-A INPUT -j ACCEPT",
        "\u001b[2J\u0007"
      })
  void aNamespaceIsJudgedAsItselfWhateverItsNameHolds(String hostile) {
    try (TopologyHarness h = new TopologyHarness()) {
      SampleFactory host = new SampleFactory("web-a", 0);
      for (int c = 0; c <= 3; c++) {
        host.at(cycle(c));
        h.pipe(filter(host, "", "-A INPUT -j ACCEPT", c, 0));
        h.pipe(filter(host, "pod", "-A INPUT -j ACCEPT", c, 0));
        h.pipe(filter(host, hostile, DROP, c, 30L * c));
      }
      h.advanceTo(closing(3));
      List<RootCause> causes = h.causes();
      assertThat(causes).isNotEmpty();
      assertThat(causes)
          .allSatisfy(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.FIREWALL_DROP);
                assertThat(c.getNetns()).isEqualTo(hostile);
              });
      assertThat(h.deadLetters()).isEmpty();
    }
  }

  private static FilterSample filter(
      SampleFactory host, String netns, String spec, int cycle, long dropped) {
    return host.filter(
        netns,
        List.of(rule("INPUT", 1, spec.endsWith("DROP") ? "DROP" : "ACCEPT", spec, dropped, 0)),
        List.of(policy("INPUT", "ACCEPT", 70L * cycle, 0)));
  }
}
