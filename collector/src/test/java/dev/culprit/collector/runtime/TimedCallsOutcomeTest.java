package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.spi.TooLargeException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedCallsOutcomeTest {

  @Test
  void aReadOrOutputPastItsCapIsNoDataWithTheReasonAndOtherFailuresStayErrors() throws Exception {
    try (TimedCalls calls = new TimedCalls(2, Instant::now)) {
      List<TimedCalls.Call<String>> batch =
          List.of(
              new TimedCalls.Call<>(
                  new CallKey("interface", ""),
                  () -> {
                    throw new TooLargeException("/proc/net/dev", 4 << 20);
                  }),
              new TimedCalls.Call<>(
                  new CallKey("firewall", ""),
                  () -> {
                    throw new CommandRunner.OutputTooLargeException(
                        new TooLargeException("the output of iptables-save -c", 16 << 20));
                  }),
              new TimedCalls.Call<>(
                  new CallKey("conntrack", ""),
                  () -> {
                    throw new IOException("Permission denied");
                  }));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();

      List<CallOutcome<String>> outcomes = calls.runAll(batch, Duration.ofSeconds(5), deadline);

      assertThat(outcomes.get(0).state()).isEqualTo(SourceState.NO_DATA);
      assertThat(outcomes.get(0).reason()).contains("/proc/net/dev", "too large");
      assertThat(outcomes.get(1).state()).isEqualTo(SourceState.NO_DATA);
      assertThat(outcomes.get(1).reason()).contains("iptables-save", "16777216");
      assertThat(outcomes.get(2).state()).isEqualTo(SourceState.ERROR);
    }
  }
}
