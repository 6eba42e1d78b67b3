package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.source.container.jvm.HeapEstimate;
import dev.culprit.collector.source.container.jvm.JvmInspector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an engine event's sample says of JVMs that were there at the last sample. */
class VanishedJvmsTest {

  private static final HeapEstimate XMX1G =
      new HeapEstimate(1L << 30, HeapEstimate.CMDLINE_XMX, List.of("-Xmx1g"), "17.0.2");

  @Test
  void aKilledJvmIsKeptBesideTheChildThatOutlivedItMarkedAsAnEarlierRead() {
    JvmInspector.Jvm killed = new JvmInspector.Jvm(1, 1, 700L, XMX1G, 250L << 20, false);
    JvmInspector.Jvm child =
        new JvmInspector.Jvm(
            40, 12, 900L, new HeapEstimate(64L << 20, "hsperfdata", List.of(), null), 1L, false);

    List<JvmInspector.Jvm> merged =
        ContainerSource.withVanished(List.of(child), List.of(killed, child));

    assertThat(merged).hasSize(2);
    assertThat(merged.get(0)).isEqualTo(child);
    assertThat(merged.get(1).pid()).isEqualTo(1);
    assertThat(merged.get(1).heap()).isEqualTo(XMX1G);
    assertThat(merged.get(1).heapFromEarlierRead()).isTrue();
    assertThat(merged.get(1).rssBytes()).as("not read now").isNull();
  }

  @Test
  void aNewProcessThatReusedThePidDoesNotHideTheOneBeforeIt() {
    JvmInspector.Jvm before = new JvmInspector.Jvm(1, 1, 700L, XMX1G, 1L, false);
    JvmInspector.Jvm restarted =
        new JvmInspector.Jvm(
            1, 1, 950L, new HeapEstimate(null, HeapEstimate.UNKNOWN, List.of(), null), 1L, false);

    List<JvmInspector.Jvm> merged =
        ContainerSource.withVanished(List.of(restarted), List.of(before));

    assertThat(merged).extracting(JvmInspector.Jvm::startTimeTicks).containsExactly(950L, 700L);
  }
}
