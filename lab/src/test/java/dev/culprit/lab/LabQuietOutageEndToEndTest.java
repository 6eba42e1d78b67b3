package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A new user's first try, for real: {@code culprit up --window 5s} (5 s sampling, no probes) and
 * {@code culprit lab inject rp-filter}. Client 1 is cut off entirely and TCP's backoff keeps its
 * drops to about one a second, below the volume rp_filter is judged by; the outage must still be
 * named within a minute, by its persistence and the client's failing SYNs. Root only.
 */
class LabQuietOutageEndToEndTest {

  private static final Duration NAMED = Duration.ofSeconds(60);

  @Test
  void aClientCutOffByRpFilterIsNamedWithinAMinuteAtFiveSecondWindowsWithoutProbes()
      throws Exception {
    String reason = RealLabHarness.whyUnusable();
    assumeTrue(reason == null, reason);
    Lab lab = new Lab(Files.createTempDirectory("culprit-lab-quiet"));
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary();
        LabPipeline pipeline =
            LabPipeline.start(
                broker.bootstrapServers(),
                LabPipeline.DEFAULT_SAMPLING,
                Duration.ofSeconds(5),
                List.of());
        RootCauseWatcher watcher = new RootCauseWatcher(broker.bootstrapServers())) {
      lab.up(2);
      Instant injected = Instant.now();
      lab.inject(new RpFilterFault(1));

      RootCause event =
          watcher
              .await(
                  e ->
                      e.getCause() == Cause.REVERSE_PATH_FILTER
                          && e.getNetns().equals(LabTopology.WEB_NS),
                  injected,
                  NAMED)
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "no REVERSE_PATH_FILTER in "
                              + LabTopology.WEB_NS
                              + " within "
                              + NAMED
                              + "; seen: "
                              + watcher.all()))
              .event();

      // The surefire output file keeps what was named, and by which path (volume or persistence).
      watcher.all().forEach(s -> System.out.println(s.readAt() + " " + s.event()));
      assertThat(event.getLocation()).isEqualTo("rp_filter");
      assertThat(event.getSymptoms()).doesNotContainKey("probe.sent");
      if (event.getEvidence().containsKey("persistedMs")) {
        // Named by persistence (the usual case: about 5 drops a window): the client it cut off.
        assertThat(String.valueOf(event.getEvidence().get("failingClients")))
            .isEqualTo(LabTopology.client(1).netns());
      }
      assertThat(watcher.all())
          .extracting(s -> s.event().getNetns())
          .as("the cut-off client and the healthy neighbour get no event of their own")
          .doesNotContain(LabTopology.client(1).netns(), LabTopology.QUIET_NS);
    } finally {
      lab.down();
      RealLabHarness.deleteStateDir(lab.stateDir());
    }
  }
}
