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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing faults end to end, as a new user runs them: {@code culprit up --window 5s} (default
 * sampling, no probes), the real lab, a real broker, and {@code culprit lab inject
 * route-unreachable} / {@code neighbour-unresolved}. Each must be named in culprit-web within a
 * minute, with the route or next hop, and the cut-off client and the healthy neighbour get no event
 * of their own; never LISTEN_OVERFLOW, though the server's ListenDrops rise. The surefire output
 * keeps how long each took (BENCHMARKS.md quotes it). Root only.
 */
class LabRoutingEndToEndTest {

  private static final Duration NAMED = Duration.ofSeconds(60);

  private static String skipReason;
  private static EmbeddedBroker broker;
  private static LabPipeline pipeline;
  private static RootCauseWatcher watcher;
  private static Lab lab;

  @BeforeAll
  static void startThePipelineAndTheLab() throws Exception {
    skipReason = RealLabHarness.whyUnusable();
    if (skipReason != null) {
      return;
    }
    broker = EmbeddedBroker.startTemporary();
    pipeline =
        LabPipeline.start(
            broker.bootstrapServers(),
            LabPipeline.DEFAULT_SAMPLING,
            Duration.ofSeconds(5),
            List.of());
    watcher = new RootCauseWatcher(broker.bootstrapServers());
    lab = new Lab(Files.createTempDirectory("culprit-lab-routing"));
    lab.up(2);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try {
      if (lab != null) {
        lab.down();
        RealLabHarness.deleteStateDir(lab.stateDir());
      }
    } finally {
      if (watcher != null) {
        watcher.close();
      }
      if (pipeline != null) {
        pipeline.close();
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  @BeforeEach
  void skipWithTheReasonUnlessUsable() {
    assumeTrue(skipReason == null, skipReason);
  }

  @AfterEach
  void clearEveryFault() {
    if (lab != null) {
      lab.clear(null);
    }
  }

  @Test
  void aBlackholeRouteToOneClientIsNamedWithTheRouteAndTheClient() {
    Instant injected = Instant.now();
    lab.inject(new RouteUnreachableFault(1, "blackhole"));

    RootCause event = awaitCause(Cause.ROUTE_UNREACHABLE, injected);

    String client = LabTopology.client(1).address();
    assertThat(event.getLocation()).isEqualTo("blackhole " + client + "/32");
    assertThat(String.valueOf(event.getEvidence().get("destinations"))).contains(client);
    assertThat(event.getRemediation()).contains("ip route del blackhole " + client + "/32");
    assertNothingElseNamed(injected);
  }

  @Test
  void aDeadNextHopToOneClientIsNamedWithTheNextHopAndDevice() {
    Instant injected = Instant.now();
    lab.inject(new NeighbourUnresolvedFault(1));

    RootCause event = awaitCause(Cause.NEIGHBOUR_UNRESOLVED, injected);

    assertThat(event.getLocation())
        .isEqualTo(
            "neighbour "
                + NeighbourUnresolvedFault.DEAD_NEXT_HOP
                + " dev "
                + LabTopology.web().device());
    assertNothingElseNamed(injected);
  }

  private static RootCause awaitCause(Cause cause, Instant since) {
    RootCauseWatcher.Seen seen =
        watcher
            .await(
                e ->
                    e.getCause() == cause
                        && e.getNetns().equals(LabTopology.WEB_NS)
                        && e.getWindowEndMs() > since.toEpochMilli(),
                since,
                NAMED)
            .orElseThrow(
                () ->
                    new AssertionError(
                        cause + " not named within " + NAMED + "; seen: " + watcher.all()));
    System.out.println(
        cause
            + " named "
            + Duration.between(since, seen.readAt()).toMillis()
            + " ms after the fault was injected (5 s windows, default sampling)");
    return seen.event();
  }

  /** No event for the cut-off client or the healthy neighbour, and no listen-queue cause. */
  private static void assertNothingElseNamed(Instant since) {
    List<RootCause> after =
        watcher.all().stream()
            .filter(s -> s.event().getWindowEndMs() > since.toEpochMilli())
            .map(RootCauseWatcher.Seen::event)
            .toList();
    after.forEach(
        e ->
            System.out.println(
                "seen: " + e.getCause() + " " + e.getNetns() + " " + e.getLocation()));
    assertThat(after)
        .extracting(RootCause::getNetns)
        .doesNotContain(LabTopology.client(1).netns(), LabTopology.QUIET_NS);
    assertThat(after).extracting(RootCause::getCause).doesNotContain(Cause.LISTEN_OVERFLOW);
  }
}
