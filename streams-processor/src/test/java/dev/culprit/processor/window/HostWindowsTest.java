package dev.culprit.processor.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.delta.SampleKinds;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class HostWindowsTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);

  @Test
  void theAggregateDoesNotDependOnArrivalOrder() {
    List<SpecificRecord> samples =
        List.of(
            f.protocol("pod-b", Map.of("Tcp.RetransSegs", 1L)),
            f.interfaces("", SampleFactory.iface("eth0").build()),
            f.interfaces("pod-a", SampleFactory.iface("eth0").build()),
            f.protocol("", Map.of("Tcp.RetransSegs", 2L)));
    HostWindowState forward = HostWindows.empty();
    for (SpecificRecord s : samples) {
      forward = Windows.add(forward, s);
    }
    HostWindowState backward = HostWindows.empty();
    for (int i = samples.size() - 1; i >= 0; i--) {
      backward = Windows.add(backward, samples.get(i));
    }
    assertThat(backward.toBytes()).isEqualTo(forward.toBytes());
    assertThat(forward.entries())
        .extracting(HostWindowState.Entry::netns, HostWindowState.Entry::topic)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("", "culprit.samples.interface"),
            org.assertj.core.groups.Tuple.tuple("", "culprit.samples.protocol"),
            org.assertj.core.groups.Tuple.tuple("pod-a", "culprit.samples.interface"),
            org.assertj.core.groups.Tuple.tuple("pod-b", "culprit.samples.protocol"));
  }

  /**
   * A window emitted again after its stored aggregate expired holds only the late source: held and
   * late together are the whole window, whatever order they come in.
   */
  @Test
  void theUnionOfTwoPartsOfAWindowHoldsEverySourceOnce() {
    SpecificRecord hostIface = f.interfaces("", SampleFactory.iface("eth0").build());
    SpecificRecord podProtocol = f.protocol("pod-a", Map.of("Tcp.RetransSegs", 1L));
    SpecificRecord hostProtocol = f.protocol("", Map.of("Tcp.RetransSegs", 2L));
    SpecificRecord otherIface = f.interfaces("zz", SampleFactory.iface("eth0").build());
    HostWindowState early = Windows.add(Windows.add(HostWindows.empty(), hostIface), podProtocol);
    HostWindowState lateWithMore =
        Windows.add(Windows.add(HostWindows.empty(), hostProtocol), otherIface);
    HostWindowState whole = early;
    for (SpecificRecord r : List.of(hostProtocol, otherIface)) {
      whole = Windows.add(whole, r);
    }

    assertThat(HostWindows.union(early, lateWithMore).toBytes()).isEqualTo(whole.toBytes());
    assertThat(HostWindows.union(lateWithMore, early).toBytes()).isEqualTo(whole.toBytes());
    assertThat(HostWindows.union(whole, early).toBytes()).isEqualTo(whole.toBytes());
    assertThat(HostWindows.sources(whole))
        .containsExactly(
            "\u0000culprit.samples.interface",
            "\u0000culprit.samples.protocol",
            "pod-a\u0000culprit.samples.protocol",
            "zz\u0000culprit.samples.interface");
  }

  @Test
  void aSecondSampleOfASourceMergesIntoItsEntry() {
    HostWindowState state = HostWindows.empty();
    state =
        Windows.add(state, f.interfaces("x", SampleFactory.iface("eth0").setRxDropped(4L).build()));
    f.at(6_000);
    state =
        Windows.add(state, f.interfaces("x", SampleFactory.iface("eth0").setRxDropped(3L).build()));
    HostWindowState.Entry entry = state.entries().get(0);
    assertThat(state.entries()).hasSize(1);
    assertThat(entry.samples()).isEqualTo(2);
    assertThat(entry.deltaMs()).isEqualTo(20_000);
    assertThat(entry.firstSampleMs()).isEqualTo(1_000);
    assertThat(entry.lastSampleMs()).isEqualTo(6_000);
    HostWindow window = HostWindow.decode("h", 0, 10_000, state);
    assertThat(window.netns("x").orElseThrow().interfaces().get(0).getRxDropped()).isEqualTo(7L);
  }

  @Test
  void theAggregateSurvivesItsSerde() {
    HostWindowState state =
        Windows.add(
            HostWindows.empty(),
            f.interfaces("x", SampleFactory.iface("eth0").setRxDropped(4L).build()));
    HostWindowSerde serde = HostWindowSerde.get();
    HostWindowState back = serde.deserialize("t", serde.serialize("t", state).clone());
    HostWindow window = HostWindow.decode("h", 0, 10_000, back);
    assertThat(window.netns("x").orElseThrow().interfaces().get(0).getRxDropped()).isEqualTo(4L);
    assertThat(window.netns("x").orElseThrow().deltaMs(SampleKinds.INTERFACE)).isEqualTo(10_000L);
  }

  @Test
  void bytesThatAreNotAStateOrAreTruncatedAreRefused() {
    byte[] valid =
        Windows.add(HostWindows.empty(), f.protocol("", Map.of("Tcp.RetransSegs", 1L))).toBytes();
    assertThatThrownBy(() -> HostWindowState.fromBytes(Arrays.copyOf(valid, valid.length - 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
    byte[] newer = valid.clone();
    newer[1] = 2;
    assertThatThrownBy(() -> HostWindowState.fromBytes(newer)).hasMessageContaining("version 2");
    assertThatThrownBy(() -> HostWindowState.fromBytes(new byte[] {1, 2, 3}))
        .hasMessageContaining("not a host-window state");
  }
}
