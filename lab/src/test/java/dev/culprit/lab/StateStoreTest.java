package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

  @TempDir Path dir;

  @Test
  void roundTripsEveryFaultKindProcessesAndSavedSysctls() {
    StateStore store = new StateStore(dir);
    LabState state =
        LabState.empty()
            .withClients(3)
            .withProcess(
                new LabProcess(
                    "web-httpd", "culprit-web", 42, 4242, null, List.of("busybox", "httpd")))
            .withProcess(
                new LabProcess(
                    "web-stuck-listener",
                    "culprit-web",
                    43,
                    4343,
                    "listen-overflow",
                    List.of("java")))
            .withSysctl(ConntrackFullFault.SYSCTL, "262144", "32");
    for (FaultKind kind : FaultKind.network()) {
      state = state.withFault(NetworkFault.of(kind));
    }
    state =
        state.withFault(
            new QdiscLossFault(QdiscLossFault.Mode.AUTO, 30, "256kbit", "4kb", "8kb", "tbf"));
    store.save(state);

    assertThat(store.load()).isEqualTo(state);
    assertThat(store.load().fault(FaultKind.QDISC_LOSS).orElseThrow())
        .isInstanceOf(QdiscLossFault.class)
        .extracting(f -> ((QdiscLossFault) f).applied())
        .isEqualTo("tbf");
  }

  @Test
  void keepsTheFirstOriginalWhenASysctlIsLoweredTwice() {
    LabState state =
        LabState.empty()
            .withSysctl(ConntrackFullFault.SYSCTL, "262144", "32")
            .withSysctl(ConntrackFullFault.SYSCTL, "32", "40"); // the lab's own value is not saved
    assertThat(state.sysctl(ConntrackFullFault.SYSCTL).orElseThrow())
        .isEqualTo(new SavedSysctl(ConntrackFullFault.SYSCTL, "262144", "40"));
  }

  @Test
  void readsAMissingStateAsEmpty() {
    assertThat(new StateStore(dir).load()).isEqualTo(LabState.empty());
    assertThat(LabState.empty().isEmpty()).isTrue();
  }

  @Test
  void reportsAnUnreadableStateFileAndMovesItAsideIntact() throws Exception {
    StateStore store = new StateStore(dir);
    Files.writeString(store.file(), "{\"clients\": 2, \"processes\": [ {\"role\"");
    assertThatThrownBy(store::load)
        .isInstanceOf(StateStore.CorruptStateException.class)
        .hasMessageContaining(store.file().toString());
    Path aside = store.quarantine();
    assertThat(store.file()).doesNotExist();
    assertThat(Files.readString(aside)).startsWith("{\"clients\": 2");
    assertThat(store.load()).isEqualTo(LabState.empty());
  }

  @Test
  void ignoresFieldsAFutureVersionAdds() throws Exception {
    StateStore store = new StateStore(dir);
    Files.writeString(store.file(), "{\"version\":2,\"clients\":1,\"newThing\":[1,2]}");
    assertThat(store.load().clients()).isEqualTo(1);
  }

  @Test
  void serialisesTheStateWithoutDerivedProperties() {
    String json = new StateStore(dir).toJson(LabState.empty().withClients(2));
    assertThat(json).doesNotContain("empty");
  }
}
