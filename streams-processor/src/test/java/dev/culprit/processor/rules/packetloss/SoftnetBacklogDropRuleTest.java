package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.SampleFactory.cpu;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.processor.window.Windows;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.SoftnetCpu;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule on delta-shaped windows: counters here are already the window's increases. */
class SoftnetBacklogDropRuleTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);
  private final SoftnetBacklogDropRule rule =
      new SoftnetBacklogDropRule(PacketLossThresholds.defaults());

  private List<RootCause> judge(Long maxBacklog, SoftnetCpu... cpus) {
    NetnsWindow host = Windows.of("h", f.softnet(maxBacklog, cpus)).netns("").orElseThrow();
    return rule.evaluate(host);
  }

  @Test
  void namesEveryCpuWhoseBacklogDropsARealShareAndDoublesTheBoundInTheFix() {
    List<RootCause> causes =
        judge(2048L, cpu(2, 2_970, 30, 7), cpu(1, 100_000, 1, 0), cpu(0, 950, 50, 3));

    assertThat(causes).singleElement();
    RootCause cause = causes.get(0);
    assertThat(cause.getCause()).isEqualTo(Cause.SOFTNET_BACKLOG_DROP);
    assertThat(cause.getLocation()).isEqualTo("backlog CPUs 0,2");
    assertThat(cause.getEvidence())
        .containsEntry("cpus", "0,2")
        .containsEntry("dropped", 80L)
        .containsEntry("processed", 3_920L)
        .containsEntry("timeSqueeze", 10L)
        .containsEntry("netdevMaxBacklog", 2048L);
    assertThat(cause.getRemediation()).startsWith("sysctl -w net.core.netdev_max_backlog=4096 ");
  }

  @Test
  void timeSqueezeWithoutDropsIsNotACause() {
    assertThat(judge(1000L, cpu(0, 50_000, 0, 900), cpu(1, 50_000, 0, 1_200))).isEmpty();
  }

  @Test
  void fewerThanTenDroppedPacketsAreNotACauseEvenAtAHighShare() {
    assertThat(judge(1000L, cpu(0, 100, 9, 0))).isEmpty();
  }

  @Test
  void aCpuWithoutADeltaIsNotJudged() {
    SoftnetCpu noBaseline = cpu(0, 0, 0, 0);
    noBaseline.setDropped(null);
    noBaseline.setProcessed(null);

    assertThat(judge(1000L, noBaseline)).isEmpty();
  }

  @Test
  void anUnreadableBoundIsLeftOutOfTheEvidenceAndTheFixDoublesTheKernelDefault() {
    RootCause cause = judge(null, cpu(0, 1_000, 100, 0)).get(0);

    assertThat(cause.getEvidence()).doesNotContainKey("netdevMaxBacklog");
    assertThat(cause.getSummary()).contains("held net.core.netdev_max_backlog packets");
    assertThat(cause.getRemediation()).startsWith("sysctl -w net.core.netdev_max_backlog=2000 ");
  }
}
