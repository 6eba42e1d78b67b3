package dev.culprit.processor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.NetnsKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every printed fix is read back by a real /bin/sh as exactly its argv, in its scope. */
class SafeRemediationTest {

  @TempDir Path dir;

  @Test
  void shSplitsEveryPrintedFixIntoExactlyItsArgvWhateverTheNamesHold() throws Exception {
    ShellHarness sh = new ShellHarness(dir);
    for (String word : HostileWords.of(sh.canary(), 150)) {
      List<FixScope> scopes = new ArrayList<>();
      scopes.add(Fixes.host());
      scopes.add(Fixes.container(word));
      scopes.add(Fixes.ofNetns(word, NetnsKind.DOCKER_CONTAINER));
      scopes.add(Fixes.ofNetns(word, NetnsKind.NAMED_NETNS));
      scopes.add(Fixes.ofNetns(word, NetnsKind.PROCESS));
      if (!word.isEmpty()) {
        scopes.add(new FixScope(FixScopeKind.NETNS, word));
      }
      scopes.add(new FixScope(FixScopeKind.PROCESS_NETNS, "netns-4026532281-" + word));
      for (FixScope scope : scopes) {
        Fix fix =
            Fixes.command(
                scope,
                List.of("iptables", "-t", word, "-D", "INPUT", "--comment", word, word),
                "the note: " + word);
        sh.assertRunsExactly(fix, Fixes.render(fix));
      }
    }
  }

  @Test
  void adviceWithoutACommandRunsNothing() throws Exception {
    ShellHarness sh = new ShellHarness(dir);
    for (String word : HostileWords.of(sh.canary(), 20)) {
      Fix fix = Fixes.advice(Fixes.host(), "Find why " + word + " grows");
      assertThat(sh.calls(Fixes.render(fix))).isEmpty();
      assertThat(sh.canary()).doesNotExist();
    }
  }

  @Test
  void safeWordsStayBareForReadability() {
    assertThat(Sh.join(List.of("ip", "link", "set", "dev", "eth0.100", "mtu", "1500")))
        .isEqualTo("ip link set dev eth0.100 mtu 1500");
    assertThat(Sh.quote("net.ipv4.tcp_rmem=4096 131072 16777216"))
        .isEqualTo("'net.ipv4.tcp_rmem=4096 131072 16777216'");
    assertThat(Sh.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(Sh.quote("")).isEqualTo("''");
  }

  @Test
  void aNamedNamespacesFixRunsThroughIpNetnsExec() {
    Fix fix =
        Fixes.command(
            Fixes.ofNetns("culprit-web"), List.of("ip", "link", "set", "dev", "cu-web"), null);
    assertThat(Fixes.render(fix)).isEqualTo("ip netns exec culprit-web ip link set dev cu-web");
  }

  @Test
  void theHostsOwnNamespaceNeedsNoPrefixAndAProcessLabelIsFoundByItsInode() {
    assertThat(Fixes.ofNetns("").getKind()).isEqualTo(FixScopeKind.HOST);
    assertThat(Fixes.ofNetns("netns-4026532281-java").getKind())
        .isEqualTo(FixScopeKind.PROCESS_NETNS);
    assertThat(Fixes.ofNetns("netns-x-java").getKind()).isEqualTo(FixScopeKind.NETNS);
    Fix fix = Fixes.command(Fixes.ofNetns("netns-4026532281-java"), List.of("sysctl", "-a"), null);
    assertThat(Fixes.render(fix))
        .startsWith("nsenter --net=\"$(find /proc ")
        .contains("'net:\\[4026532281\\]'")
        .endsWith(")\" sysctl -a");
  }

  @Test
  void aDockerContainersFixEntersItThroughTheContainersPidNotIpNetnsExec() {
    Fix fix =
        Fixes.command(
            Fixes.ofNetns("web-1", NetnsKind.DOCKER_CONTAINER),
            List.of("ip", "link", "set", "dev", "eth0", "mtu", "1500"),
            null);
    assertThat(fix.getScope().getKind()).isEqualTo(FixScopeKind.CONTAINER);
    assertThat(Fixes.render(fix))
        .isEqualTo(
            "nsenter --net=/proc/\"$(docker inspect -f '{{.State.Pid}}' web-1)\"/ns/net"
                + " ip link set dev eth0 mtu 1500");
  }

  @Test
  void aContainerNamedLikeACommandIsOneQuotedArgumentOfDockerInspect() {
    Fix fix =
        Fixes.command(
            Fixes.ofNetns("$(reboot) x", NetnsKind.DOCKER_CONTAINER),
            List.of("sysctl", "-a"),
            null);
    assertThat(Fixes.render(fix))
        .isEqualTo(
            "nsenter --net=/proc/\"$(docker inspect -f '{{.State.Pid}}' '$(reboot) x')\"/ns/net"
                + " sysctl -a");
  }

  @Test
  void samplesWithoutAKindKeepTheLabelsDerivation() {
    for (String label : List.of("", "web-1", "netns-4026532281-java", "netns-x-java")) {
      assertThat(Fixes.ofNetns(label, null)).as(label).isEqualTo(Fixes.ofNetns(label));
      assertThat(Fixes.ofNetns(label, NetnsKind.UNKNOWN)).as(label).isEqualTo(Fixes.ofNetns(label));
    }
  }

  @Test
  void theKindDecidesOnlyWhereTheLabelAgreesSoTheHostIsNeverAGuess() {
    assertThat(Fixes.ofNetns("web-1", NetnsKind.NAMED_NETNS).getKind())
        .isEqualTo(FixScopeKind.NETNS);
    assertThat(Fixes.ofNetns("", NetnsKind.DOCKER_CONTAINER).getKind())
        .isEqualTo(FixScopeKind.HOST);
    // A label that is not the host's is never run bare on the host, whatever the kind says.
    assertThat(Fixes.ofNetns("web-1", NetnsKind.HOST).getKind()).isEqualTo(FixScopeKind.NETNS);
    assertThat(Fixes.ofNetns("netns-4026532281-java", NetnsKind.PROCESS).getKind())
        .isEqualTo(FixScopeKind.PROCESS_NETNS);
  }
}
