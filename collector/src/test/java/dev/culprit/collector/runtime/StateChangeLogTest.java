package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.records.SourceState;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateChangeLogTest {

  private final StateChangeLog log = new StateChangeLog();
  private final CallKey filter = new CallKey("filter", "culprit-a");

  @Test
  void logsAFailureOnceNotEveryCycle() {
    assertThat(log.update(List.of(error("iptables-save: exit 4")))).hasSize(1);
    assertThat(log.update(List.of(error("iptables-save: exit 4")))).isEmpty();
    assertThat(log.update(List.of(error("iptables-save: another message")))).isEmpty();
  }

  @Test
  void logsTheRecoveryButNotAFirstSuccess() {
    assertThat(log.update(List.of(ok()))).isEmpty();
    log.update(List.of(error("boom")));

    List<StateChangeLog.Change> changes = log.update(List.of(ok()));

    assertThat(changes)
        .containsExactly(
            new StateChangeLog.Change(
                StateChangeLog.Level.INFO, "filter in netns culprit-a works again (was ERROR)"));
  }

  @Test
  void warnsAboutFailuresAndInformsAboutMissingData() {
    assertThat(log.update(List.of(error("boom"))).get(0).level())
        .isEqualTo(StateChangeLog.Level.WARN);
    var noData = CallOutcome.failed(filter, SourceState.NO_DATA, "no iptables", 0);
    assertThat(log.update(List.of(noData)).get(0))
        .isEqualTo(
            new StateChangeLog.Change(
                StateChangeLog.Level.INFO, "filter in netns culprit-a: no data (no iptables)"));
  }

  @Test
  void forgetsNamespacesThatVanishedSoTheirReturnIsLoggedAfresh() {
    log.update(List.of(error("boom")));
    log.update(List.of());

    assertThat(log.update(List.of(error("boom")))).hasSize(1);
  }

  private CallOutcome<Object> error(String reason) {
    return CallOutcome.failed(filter, SourceState.ERROR, reason, 10);
  }

  private CallOutcome<Object> ok() {
    return CallOutcome.ok(filter, 10, new Object());
  }
}
