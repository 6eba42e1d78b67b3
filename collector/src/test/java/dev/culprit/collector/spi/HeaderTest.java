package dev.culprit.collector.spi;

import static dev.culprit.collector.records.NetnsKind.DOCKER_CONTAINER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.records.NetnsKind;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderTest {

  private final Header header = new Header("h1", "web-1", 1_700_000_000_000L, "c-1", "boot-1");

  @Test
  void stampsEveryHeaderFieldSoTheRecordEncodesWithOnlyItsOwnFieldsAdded() {
    ProtocolSample sample = header.stamp(new ProtocolSample());
    sample.setCounters(Map.of("Ip.InDiscards", 3L));

    dev.culprit.schemas.ProtocolSample back =
        Topics.PROTOCOL.valueSerde().decode(WireTopics.PROTOCOL.encode(sample));
    assertThat(back.getHost()).isEqualTo("h1");
    assertThat(back.getNetns()).isEqualTo("web-1");
    assertThat(back.getSampleTimeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(back.getCollectorId()).isEqualTo("c-1");
    assertThat(back.getBootId()).isEqualTo("boot-1");
    assertThat(back.getSeq()).isZero();
  }

  @Test
  void aNamespacesKindTravelsInItsSamplesAndHostWideSamplesIgnoreIt() {
    Netns web =
        new Netns("web-1", 4026532281L, Path.of("/proc/42/ns/net"), 42, false, DOCKER_CONTAINER);
    ProtocolSample sample = header.forNetns(web).stamp(new ProtocolSample());
    sample.setCounters(Map.of());

    dev.culprit.schemas.ProtocolSample back =
        Topics.PROTOCOL.valueSerde().decode(WireTopics.PROTOCOL.encode(sample));
    assertThat(back.getNetns()).isEqualTo("web-1");
    assertThat(back.getNetnsKind()).isEqualTo(dev.culprit.schemas.NetnsKind.DOCKER_CONTAINER);
    // The container sample is host-wide: it has no such field and stamping it still works.
    assertThat(header.forNetns(web).stamp(new ContainerSample()).getNetns()).isEqualTo("web-1");
  }

  @Test
  void onlyTheHostsOwnNamespaceHasAKindWithoutBeingTold() {
    assertThat(header.forNetns("").netnsKind()).isEqualTo(NetnsKind.HOST);
    assertThat(header.forNetns("web-1").netnsKind()).isNull();
    assertThat(header.forNetns("web-1").stamp(new ProtocolSample()).getNetnsKind()).isNull();
  }
}
