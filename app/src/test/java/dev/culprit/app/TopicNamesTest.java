package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.schemas.Topics;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

  @Test
  void acceptsFullNamesAndTheirLastPart() {
    assertThat(TopicNames.resolve("culprit.samples.interface")).isEqualTo(Topics.INTERFACE);
    assertThat(TopicNames.resolve("interface")).isEqualTo(Topics.INTERFACE);
    assertThat(TopicNames.resolve("packet-loss")).isEqualTo(Topics.ROOTCAUSE_PACKET_LOSS);
    assertThat(TopicNames.resolve("oom")).isEqualTo(Topics.ROOTCAUSE_OOM);
    assertThat(TopicNames.resolve("fleet")).isEqualTo(Topics.FLEET_INCIDENTS);
    assertThat(TopicNames.resolve("transitions")).isEqualTo(Topics.ROOTCAUSE_TRANSITIONS);
    assertThat(TopicNames.resolve("deadletter")).isEqualTo(Topics.DEAD_LETTER);
  }

  @Test
  void anUnknownTopicListsTheRealOnes() {
    assertThatThrownBy(() -> TopicNames.resolve("interfaces"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("culprit.samples.interface");
  }
}
