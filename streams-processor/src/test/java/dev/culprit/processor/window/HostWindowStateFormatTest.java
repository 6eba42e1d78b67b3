package dev.culprit.processor.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.InterfaceStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A host-window state written by version 1 of the format (pinned in {@code
 * src/test/resources/host-window-state-v1.b64}) must stay readable: it sits in changelogs and
 * suppression buffers across upgrades. The file was written once with {@code
 * -Dculprit.golden.update=true}; never rewrite it for a format change, add a new version instead.
 */
class HostWindowStateFormatTest {

  private static final Path PINNED = Path.of("src/test/resources/host-window-state-v1.b64");

  @Test
  void aVersionOneStateStaysReadable() throws IOException {
    if (Boolean.getBoolean("culprit.golden.update") && !Files.exists(PINNED)) {
      Files.writeString(PINNED, Base64.getMimeEncoder().encodeToString(sample().toBytes()) + "\n");
    }
    byte[] pinned = Base64.getMimeDecoder().decode(Files.readString(PINNED).strip());
    HostWindow window = HostWindow.decode("h", 0, 10_000, HostWindowState.fromBytes(pinned));
    assertThat(window.namespaces()).extracting(NetnsWindow::netns).containsExactly("", "web-1");
    InterfaceStats eth0 = window.netns("web-1").orElseThrow().interfaces().get(0);
    assertThat(eth0.getMtu()).isEqualTo(100);
    assertThat(eth0.getRxDropped()).isEqualTo(344L);
    assertThat(window.netns("").orElseThrow().symptoms()).containsEntry("Tcp.RetransSegs", 4L);
  }

  private static HostWindowState sample() {
    SampleFactory f = new SampleFactory("h", 1_000);
    HostWindowState state = HostWindows.empty();
    state =
        Windows.add(
            state,
            f.interfaces(
                "web-1", SampleFactory.iface("eth0").setMtu(100).setRxDropped(344L).build()));
    return Windows.add(state, f.protocol("", Map.of("Tcp.RetransSegs", 4L)));
  }
}
