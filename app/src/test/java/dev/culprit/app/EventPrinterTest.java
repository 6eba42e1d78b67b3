package dev.culprit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventPrinterTest {

  @Test
  void aHumanLineSaysWhereTheFixRunsAndPrintsItAsPasted() {
    String line = EventPrinter.human(cause("web-1", FixScopeKind.NETNS, "ip netns exec web-1 x"));
    assertThat(line).endsWith("→ fix in netns web-1: ip netns exec web-1 x");
  }

  @Test
  void aFixOnTheHostOrAnEventFromBeforeFixesHadStructureShowsOnlyTheCommand() {
    assertThat(EventPrinter.human(cause("", FixScopeKind.HOST, "x"))).endsWith("→ fix: x");
    RootCause old = RootCause.newBuilder(cause("", FixScopeKind.HOST, "x")).setFix(null).build();
    assertThat(EventPrinter.human(old)).endsWith("→ fix: x");
  }

  private static RootCause cause(String netns, FixScopeKind kind, String remediation) {
    return RootCause.newBuilder()
        .setEventId("id-1")
        .setHost("node-7")
        .setNetns(netns)
        .setWindowStartMs(1_000)
        .setWindowEndMs(11_000)
        .setCause(Cause.MTU_MISMATCH)
        .setLayer(Layer.LINK)
        .setLocation("eth0")
        .setConfidence(0.8)
        .setEvidence(Map.of())
        .setSymptoms(Map.of())
        .setSummary("s")
        .setRemediation(remediation)
        .setFix(new Fix(new FixScope(kind, netns), List.of("x"), null))
        .build();
  }
}
