package dev.culprit.processor.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class HostWindowsTest {

  @Test
  void theAggregateDoesNotDependOnArrivalOrder() {
    SampleFactory f = new SampleFactory("h", 1_000);
    List<SpecificRecord> samples =
        List.of(
            f.protocol("pod-b", Map.of("Tcp.RetransSegs", 1L)),
            f.interfaces("", SampleFactory.iface("eth0").build()),
            f.interfaces("pod-a", SampleFactory.iface("eth0").build()),
            f.protocol("", Map.of("Tcp.RetransSegs", 2L)));
    HostWindowState forward = HostWindows.empty();
    samples.forEach(s -> Windows.add(forward, "h", s));
    HostWindowState backward = HostWindows.empty();
    for (int i = samples.size() - 1; i >= 0; i--) {
      Windows.add(backward, "h", samples.get(i));
    }
    assertThat(HostWindowSerde.get().encode(backward))
        .isEqualTo(HostWindowSerde.get().encode(forward));
    assertThat(forward.getNamespaces())
        .extracting(NetnsWindowState::getNetns)
        .containsExactly("", "pod-a", "pod-b");
  }

  @Test
  void theAggregateSurvivesItsSerde() {
    SampleFactory f = new SampleFactory("h", 1_000);
    HostWindowState state = HostWindows.empty();
    Windows.add(
        state, "h", f.interfaces("x", SampleFactory.iface("eth0").setRxDropped(4L).build()));
    HostWindowState back = HostWindowSerde.get().decode(HostWindowSerde.get().encode(state));
    HostWindow window = HostWindow.decode("h", 0, 10_000, back);
    assertThat(window.netns("x").orElseThrow().interfaces().get(0).getRxDropped()).isEqualTo(4L);
    assertThat(
            window
                .netns("x")
                .orElseThrow()
                .deltaMs(dev.culprit.processor.delta.SampleKinds.INTERFACE))
        .isEqualTo(10_000L);
  }
}
