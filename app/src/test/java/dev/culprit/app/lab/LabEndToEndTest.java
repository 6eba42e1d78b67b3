package dev.culprit.app.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's end-to-end tests: the real lab, a real embedded broker, the real collector (1 s) and
 * processor (5 s windows) in this JVM. Each fault must come out of {@code
 * culprit.rootcause.packet-loss} within 30 s with the right cause, namespace and location, and no
 * client namespace or the healthy neighbour may ever get an event. Root only.
 */
@Disabled("issue 5 phase 2: LabPipeline.start needs the collector runtime and processor on main")
class LabEndToEndTest {

  private static final Duration DETECTED = Duration.ofSeconds(30);
  // Not culprit-lan: under the MTU fault its bridge port cu-web-br really does count tx_dropped
  // (the frames cu-web refuses), so an event naming that link there would be true, not false.
  private static final Set<String> HEALTHY =
      Set.of(LabTopology.QUIET_NS, LabTopology.client(1).netns(), LabTopology.client(2).netns());

  private static String skipReason;
  private static EmbeddedBroker broker;
  private static LabPipeline pipeline;
  private static RootCauseWatcher watcher;

  private Lab lab;
  private String conntrackMaxBefore;

  @BeforeAll
  static void startThePipeline() throws Exception {
    skipReason = LabKernel.whyUnusable();
    if (skipReason != null) {
      return;
    }
    broker = EmbeddedBroker.startTemporary();
    pipeline =
        LabPipeline.start(
            broker.bootstrapServers(), LabPipeline.FAST_SAMPLING, LabPipeline.FAST_WINDOW);
    watcher = new RootCauseWatcher(broker.bootstrapServers());
  }

  @AfterAll
  static void stopThePipeline() throws Exception {
    try (EmbeddedBroker b = broker;
        LabPipeline p = pipeline) {
      if (watcher != null) {
        watcher.close();
      }
    }
  }

  @BeforeEach
  void upTheLab() throws Exception {
    assumeTrue(skipReason == null, skipReason);
    conntrackMaxBefore = LabKernel.conntrackMax();
    lab = new Lab(Files.createTempDirectory("culprit-lab-e2e"));
    lab.up(2);
  }

  @AfterEach
  void downTheLabAndCheckNoFalsePositive() {
    if (lab == null) {
      return;
    }
    try {
      assertThat(watcher.all())
          .extracting(s -> s.event().getNetns())
          .as("namespaces without a fault must never get a packet-loss event")
          .noneMatch(HEALTHY::contains);
    } finally {
      try {
        lab.down();
      } finally {
        LabKernel.forceConntrackMax(conntrackMaxBefore);
      }
    }
  }

  @Test
  void firewallDropIsFoundNamingTheChainRuleAndProbability() {
    Instant injected = Instant.now();
    lab.inject(new FirewallDropFault(FirewallDropFault.Chain.INPUT, 0.3));

    RootCause event = awaitCause(Cause.FIREWALL_DROP, injected);

    assertThat(event.getLocation()).contains("INPUT").contains("1");
    assertThat(event.getEvidence().toString()).contains("0.3");
  }

  @Test
  void qdiscLossIsFoundNamingTheDeviceAndTheQdisc() {
    Instant injected = Instant.now();
    lab.inject(FaultKind.QDISC_LOSS.defaultSpec());

    RootCause event = awaitCause(Cause.QDISC_LOSS, injected);

    assertThat(event.getLocation()).contains(LabTopology.web().device());
  }

  @Test
  void mtuMismatchIsFoundNamingTheDeviceAndBothMtus() {
    Instant injected = Instant.now();
    lab.inject(new MtuFault(100));

    RootCause event = awaitCause(Cause.MTU_MISMATCH, injected);

    assertThat(event.getLocation()).contains(LabTopology.web().device());
    assertThat(event.getEvidence().toString()).contains("100").contains("1500");
  }

  @Test
  void aFullConntrackTableIsFoundInTheServerNamespaceOnly() {
    Instant injected = Instant.now();
    lab.inject(new ConntrackFullFault(32));

    RootCause event = awaitCause(Cause.CONNTRACK_TABLE_FULL, injected);

    assertThat(event.getEvidence().toString()).contains("32");
  }

  @Test
  void aListenQueueOverflowIsFound() {
    Instant injected = Instant.now();
    lab.inject(new ListenOverflowFault(8081, 1));

    awaitCause(Cause.LISTEN_OVERFLOW, injected);
  }

  @Test
  void theSeedsStoryThreeCausesThenEachStopsWhenClearedThenSilence() {
    Instant injected = Instant.now();
    lab.inject(FaultKind.QDISC_LOSS.defaultSpec());
    lab.inject(new FirewallDropFault(FirewallDropFault.Chain.BOTH, 0.3));
    lab.inject(new MtuFault(100));
    List<Cause> story = List.of(Cause.QDISC_LOSS, Cause.FIREWALL_DROP, Cause.MTU_MISMATCH);
    story.forEach(cause -> awaitCause(cause, injected));

    List<FaultKind> clearOrder =
        List.of(FaultKind.QDISC_LOSS, FaultKind.FIREWALL_DROP, FaultKind.MTU);
    for (int i = 0; i < clearOrder.size(); i++) {
      lab.clear(clearOrder.get(i));
      // A window that starts after the clear (plus one sample) must not show the cleared cause.
      Instant settled = Instant.now().plus(LabPipeline.FAST_SAMPLING);
      Cause gone = story.get(i);
      for (Cause going : story.subList(i + 1, story.size())) {
        assertThat(watcher.await(windowAfter(going, settled), settled, DETECTED))
            .as("%s goes on after %s is cleared", going, gone)
            .isPresent();
      }
      assertThat(watcher.await(windowAfter(gone, settled), settled, window(3)))
          .as("%s stops once cleared", gone)
          .isEmpty();
    }
    Instant allClear = Instant.now().plus(LabPipeline.FAST_SAMPLING);
    assertThat(
            watcher.await(
                e -> e.getWindowStartMs() >= allClear.toEpochMilli(), allClear, window(3)))
        .as("silence once every fault is cleared")
        .isEmpty();
  }

  private static RootCause awaitCause(Cause cause, Instant since) {
    return watcher
        .await(
            e -> e.getCause() == cause && e.getNetns().equals(LabTopology.WEB_NS), since, DETECTED)
        .orElseThrow(
            () ->
                new AssertionError(
                    cause
                        + " in "
                        + LabTopology.WEB_NS
                        + " not seen within "
                        + DETECTED
                        + "; seen: "
                        + watcher.all()))
        .event();
  }

  private static java.util.function.Predicate<RootCause> windowAfter(Cause cause, Instant start) {
    return e ->
        e.getCause() == cause
            && e.getNetns().equals(LabTopology.WEB_NS)
            && e.getWindowStartMs() >= start.toEpochMilli();
  }

  private static Duration window(int n) {
    return LabPipeline.FAST_WINDOW.multipliedBy(n);
  }
}
