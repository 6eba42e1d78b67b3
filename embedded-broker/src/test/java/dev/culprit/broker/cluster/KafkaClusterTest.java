package dev.culprit.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test cluster itself: what the broker-failure scenarios rely on. */
class KafkaClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static KafkaCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = KafkaCluster.start(3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void movesTheLeadershipOfAKilledLeaderAndTakesTheBrokerBackIntoTheIsr() throws Exception {
    String topic = Topics.INTERFACE.name();
    cluster.awaitFullIsr(List.of(topic), WAIT);
    int leader = cluster.leaderOf(topic, 0);
    assertThat(leader).isBetween(1, KafkaCluster.BROKERS);

    cluster.kill(leader);
    assertThat(cluster.running(leader)).isFalse();
    int next = cluster.awaitLeaderOtherThan(topic, 0, leader, WAIT);
    assertThat(next).isNotEqualTo(leader);

    cluster.restart(leader);
    cluster.awaitFullIsr(List.of(topic), WAIT);
  }

  @Test
  void movesTheLeadershipOfABrokerCutOffByItsProxy() throws Exception {
    String topic = Topics.PROTOCOL.name();
    cluster.awaitFullIsr(List.of(topic), WAIT);
    int leader = cluster.leaderOf(topic, 1);

    cluster.partition(leader);
    try {
      assertThat(cluster.awaitLeaderOtherThan(topic, 1, leader, WAIT)).isNotEqualTo(leader);
      assertThat(cluster.running(leader)).as("cut off, not dead").isTrue();
    } finally {
      cluster.heal(leader);
    }
    cluster.awaitFullIsr(List.of(topic), WAIT);
  }
}
