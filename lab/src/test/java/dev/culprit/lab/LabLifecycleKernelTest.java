package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * up, down and status on the real kernel: idempotent, repairing, and leaving nothing behind even
 * after a crash. Root only; every test takes the lab down in {@link #downWhateverHappened}.
 */
class LabLifecycleKernelTest {

  private RealLabHarness kernel;
  private Path stateDir;
  private Lab lab;
  private String conntrackMaxBefore;
  private final List<LabProcess> everStarted = new ArrayList<>();

  @BeforeEach
  void needsRootAndNoLab() throws Exception {
    kernel = RealLabHarness.assumeUsable();
    conntrackMaxBefore = RealLabHarness.conntrackMax();
    stateDir = Files.createTempDirectory("culprit-lab-test");
    lab = new Lab(stateDir);
  }

  @AfterEach
  void downWhateverHappened() {
    if (lab == null) {
      return;
    }
    try {
      new Lab(stateDir).down();
    } finally {
      RealLabHarness.forceConntrackMax(conntrackMaxBefore);
    }
    kernel.assertNothingLeft(lab, everStarted, conntrackMaxBefore);
    RealLabHarness.deleteStateDir(stateDir);
  }

  @Test
  void upTwiceChangesNothingAndDownTwiceLeavesNothing() {
    lab.up(2);
    List<LabProcess> first = lab.state().processes();
    everStarted.addAll(first);

    List<String> again = lab.up(2);

    assertThat(again).noneMatch(line -> line.startsWith("created") || line.startsWith("started"));
    assertThat(lab.state().processes()).isEqualTo(first);
    assertThat(kernel.labNamespaces())
        .containsExactlyInAnyOrder(
            "culprit-lan", "culprit-web", "culprit-quiet", "culprit-client-1", "culprit-client-2");

    assertThat(lab.down()).contains("lab down: everything removed");
    kernel.assertNothingLeft(lab, everStarted, conntrackMaxBefore);
    assertThat(lab.down()).containsExactly("lab down: nothing to remove");
  }

  @Test
  void upRepairsAKilledServerAndADeletedNamespaceAndResizesTheClients() {
    lab.up(1);
    everStarted.addAll(lab.state().processes());
    LabProcess httpd = lab.state().process("web-httpd").orElseThrow();
    LabProcess quietHttpd = lab.state().process("quiet-httpd").orElseThrow();
    ProcessHandle.of(httpd.pid()).orElseThrow().destroy();
    assertThat(LabContext.await(RealLabHarness.FAULT_VISIBLE, () -> !alive(httpd))).isTrue();
    kernel.shell.check(List.of(kernel.tools.path(Tools.Tool.IP), "netns", "del", "culprit-quiet"));

    List<String> repaired = lab.up(2);
    everStarted.addAll(lab.state().processes());

    assertThat(repaired)
        .contains("created namespace culprit-quiet", "created namespace culprit-client-2")
        .anyMatch(line -> line.startsWith("restarted web-httpd"))
        .anyMatch(line -> line.startsWith("started quiet-httpd"));
    // The old server kept the deleted namespace alive, unreachable: up must end it.
    assertThat(alive(quietHttpd)).isFalse();
    assertThat(lab.state().process("web-httpd").orElseThrow().pid()).isNotEqualTo(httpd.pid());
    RealLabHarness.awaitRise(
        "cu-quiet rx_packets", () -> kernel.device(lab, "quiet-httpd", "cu-quiet").rxPackets(), 10);

    List<String> shrunk = lab.up(1);

    assertThat(shrunk).contains("removed surplus client namespace culprit-client-2");
    assertThat(kernel.labNamespaces()).doesNotContain("culprit-client-2");
    assertThat(lab.state().processes()).noneMatch(p -> p.netns().equals("culprit-client-2"));
    assertThat(
            new DetachedProcesses(RealLabHarness.PROC, stateDir, kernel.tools)
                .marked(r -> r.startsWith("client-2")))
        .isEmpty();
  }

  @Test
  void downAfterACrashRestoresConntrackMaxAndEndsUnrecordedProcesses() {
    lab.up(1);
    everStarted.addAll(lab.state().processes());
    lab.inject(new ConntrackFullFault(32));
    assertThat(RealLabHarness.conntrackMax()).isEqualTo("32");
    // What a crash between starting a workload and recording it leaves: a marked, unrecorded pid.
    LabProcess orphan =
        new DetachedProcesses(RealLabHarness.PROC, stateDir, kernel.tools)
            .spawn(
                "web-orphan",
                LabTopology.WEB_NS,
                List.of(kernel.tools.path(Tools.Tool.BUSYBOX), "sleep", "600"),
                null,
                null);
    everStarted.add(orphan);

    List<String> down = new Lab(stateDir).down(); // a new process, as after a crash

    assertThat(down)
        .contains("restored net.netfilter.nf_conntrack_max = " + conntrackMaxBefore + " (was 32)");
    assertThat(alive(orphan)).isFalse();
    kernel.assertNothingLeft(lab, everStarted, conntrackMaxBefore);
    RealLabHarness.deleteStateDir(stateDir);
  }

  @Test
  void downWithoutAStateFileStillFindsTheLabByNameAndMarker() throws Exception {
    lab.up(1);
    everStarted.addAll(lab.state().processes());
    Files.delete(stateDir.resolve(StateStore.FILE));

    lab.down();

    kernel.assertNothingLeft(lab, everStarted, conntrackMaxBefore);
    RealLabHarness.deleteStateDir(stateDir);
  }

  @Test
  void downSetsAnUnreadableStateFileAsideAndCleansUp() throws Exception {
    lab.up(1);
    everStarted.addAll(lab.state().processes());
    Files.writeString(stateDir.resolve(StateStore.FILE), "{ not json");

    assertThatThrownBy(() -> lab.inject(new MtuFault(100))).hasMessageContaining("unreadable");
    List<String> down = lab.down();

    assertThat(down.get(0)).contains("unreadable").contains("moved aside");
    kernel.assertNothingLeft(lab, everStarted, conntrackMaxBefore);
    RealLabHarness.deleteStateDir(stateDir);
  }

  @Test
  void injectRefusesWhenTheLabIsNotUp() {
    assertThatThrownBy(() -> lab.inject(new MtuFault(100)))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("run `culprit lab up` first");
    assertThat(lab.status())
        .contains("lab: not up (state " + stateDir.toAbsolutePath().normalize() + ")");
  }

  private boolean alive(LabProcess process) {
    return new DetachedProcesses(RealLabHarness.PROC, stateDir, kernel.tools).isAlive(process);
  }
}
