package dev.culprit.processor.rules.packetloss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelDropReasonsTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @Test
  void aCauseIsQuotedTheReasonsTheContractGivesIt() {
    Set<String> present =
        Set.of("NETFILTER_DROP", "QDISC_DROP", "IP_INNOROUTES", "IP_INHDR", "NO_SOCKET");

    assertThat(KernelDropReasons.reasonsFor(Cause.FIREWALL_DROP, present))
        .containsExactly("NETFILTER_DROP");
    assertThat(KernelDropReasons.reasonsFor(Cause.QDISC_LOSS, present)).contains("QDISC_DROP");
    assertThat(KernelDropReasons.reasonsFor(Cause.ROUTE_UNREACHABLE, present))
        .contains("IP_INNOROUTES");
    // Unexplained drops are quoted the reasons no cause explains, less those that are no evidence.
    assertThat(KernelDropReasons.reasonsFor(Cause.UNEXPLAINED_DROPS, present))
        .containsExactly("IP_INHDR");
  }

  @Test
  void aCauseWhoseReasonsDidNotRiseIsTheEventWithoutDropReasonsByteForByte() throws IOException {
    // Both files are written by GoldenScenariosTest: the same fault, with and without the host's
    // drop-reason samples (in which only QDISC_DROP rose).
    assertThat(
            Files.readString(
                GOLDEN.resolve(
                    "kernel-drop-reasons-of-other-causes-leave-a-firewall-drop-as-it-was.jsonl")))
        .isNotEmpty()
        .isEqualTo(
            Files.readString(
                GOLDEN.resolve("firewall-iptables-nft-random-drop-without-policy-counters.jsonl")));
  }
}
