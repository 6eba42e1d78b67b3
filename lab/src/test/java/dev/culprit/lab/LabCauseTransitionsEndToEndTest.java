package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.CauseState;
import dev.culprit.schemas.CauseTransition;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A cause's life end to end: the real lab, broker, collector (1 s) and processor (5 s windows). A
 * firewall-drop fault injected for a minute and then cleared must give exactly one STARTED and one
 * ENDED transition for its rule, the ENDED after the clear. A pipeline of its own, so no other
 * test's fault can extend the episode. Root only.
 */
class LabCauseTransitionsEndToEndTest {

  private static final Duration FAULT = Duration.ofMinutes(1);
  private static final Duration ENDED_WITHIN = Duration.ofSeconds(60);

  @Test
  void aFirewallDropInjectedForAMinuteAndThenClearedGivesExactlyOneStartAndOneEnd()
      throws Exception {
    String skip = RealLabHarness.whyUnusable();
    assumeTrue(skip == null, skip);
    String conntrackMaxBefore = RealLabHarness.conntrackMax();
    Lab lab = new Lab(Files.createTempDirectory("culprit-lab-transitions"));
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary();
        LabPipeline pipeline =
            LabPipeline.start(
                broker.bootstrapServers(), LabPipeline.FAST_SAMPLING, LabPipeline.FAST_WINDOW);
        KafkaConsumer<String, CauseTransition> consumer = consumer(broker)) {
      lab.up(2);
      lab.inject(new FirewallDropFault(FirewallDropFault.Chain.INPUT, 0.3));
      Instant injected = Instant.now();
      List<CauseTransition> seen = new ArrayList<>();
      // The fault lasts a minute: read what comes meanwhile, then clear it.
      readUntil(consumer, seen, injected.plus(FAULT), null);
      lab.clear(FaultKind.FIREWALL_DROP);
      Instant cleared = Instant.now();
      readUntil(consumer, seen, cleared.plus(ENDED_WITHIN), CauseState.ENDED);

      List<CauseTransition> episode =
          seen.stream()
              .filter(t -> t.getCause() == Cause.FIREWALL_DROP)
              .filter(t -> t.getNetns().equals(LabTopology.WEB_NS))
              .filter(t -> t.getSignature().contains("INPUT"))
              .toList();
      assertThat(episode)
          .as("transitions of the INPUT rule; all seen: %s", seen)
          .filteredOn(t -> t.getState() == CauseState.STARTED)
          .hasSize(1);
      assertThat(episode).filteredOn(t -> t.getState() == CauseState.ENDED).hasSize(1);
      CauseTransition ended =
          episode.stream().filter(t -> t.getState() == CauseState.ENDED).findFirst().orElseThrow();
      assertThat(ended.getLastWindowEndMs())
          .as("the last window with drops ends after the clear's window starts")
          .isGreaterThan(cleared.toEpochMilli() - LabPipeline.FAST_WINDOW.toMillis() * 2);
      assertThat(ended.getDurationMs())
          .as("about the minute the fault lasted")
          .isBetween(FAULT.toMillis() - 15_000, FAULT.toMillis() + 15_000);
      assertThat(ended.getTotals().get("droppedPackets")).isPositive();
      System.out.println("transitions: " + seen);
    } finally {
      try {
        lab.down();
      } finally {
        RealLabHarness.forceConntrackMax(conntrackMaxBefore);
        RealLabHarness.deleteStateDir(lab.stateDir());
      }
    }
  }

  /** Reads transitions until {@code deadline}, or earlier once one in {@code stopAt} state came. */
  private static void readUntil(
      KafkaConsumer<String, CauseTransition> consumer,
      List<CauseTransition> seen,
      Instant deadline,
      CauseState stopAt) {
    while (Instant.now().isBefore(deadline)) {
      for (ConsumerRecord<String, CauseTransition> r : consumer.poll(Duration.ofMillis(200))) {
        seen.add(r.value());
        if (stopAt != null
            && r.value().getState() == stopAt
            && r.value().getNetns().equals(LabTopology.WEB_NS)) {
          return;
        }
      }
    }
  }

  private static KafkaConsumer<String, CauseTransition> consumer(EmbeddedBroker broker) {
    KafkaConsumer<String, CauseTransition> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "culprit-lab-transitions-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            Topics.ROOTCAUSE_TRANSITIONS.keySerde().deserializer(),
            Topics.ROOTCAUSE_TRANSITIONS.valueSerde().deserializer());
    consumer.subscribe(List.of(Topics.ROOTCAUSE_TRANSITIONS.name()));
    return consumer;
  }
}
