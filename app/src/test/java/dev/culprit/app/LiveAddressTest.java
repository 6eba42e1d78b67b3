package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.processor.ProcessorConfig;
import java.util.Map;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class LiveAddressTest {

  @Test
  void parsesHostPortBracketedIpv6AndNone() {
    assertThat(LiveAddress.parse("127.0.0.1:9470")).isEqualTo(new HostInfo("127.0.0.1", 9470));
    assertThat(LiveAddress.parse("[::1]:9470")).isEqualTo(new HostInfo("::1", 9470));
    assertThat(LiveAddress.parse("none")).isNull();
    assertThatThrownBy(() -> LiveAddress.parse("9470")).isInstanceOf(UserException.class);
    assertThatThrownBy(() -> LiveAddress.parse("h:0")).isInstanceOf(UserException.class);
    assertThatThrownBy(() -> LiveAddress.parse("h:x")).isInstanceOf(UserException.class);
  }

  @Test
  void announcesTheAddressAsApplicationServerUnlessTheUserSetOne() {
    ProcessorConfig config = ProcessorConfig.defaults("b:9092");
    HostInfo self = new HostInfo("10.0.0.5", 9470);
    assertThat(LiveAddress.announce(config, self).streamsOverrides())
        .containsEntry("application.server", "10.0.0.5:9470");
    ProcessorConfig own = config.withStreamsOverrides(Map.of("application.server", "lb:80"));
    assertThat(LiveAddress.announce(own, self).streamsOverrides())
        .containsEntry("application.server", "lb:80");
    assertThat(LiveAddress.announce(config, null)).isSameAs(config);
  }
}
