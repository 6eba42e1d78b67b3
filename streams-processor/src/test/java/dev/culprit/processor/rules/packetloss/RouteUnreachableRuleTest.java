package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.SampleFactory.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.processor.window.Windows;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.RouteEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule on delta-shaped windows: counters here are already the window's increases. */
class RouteUnreachableRuleTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);
  private final RouteUnreachableRule rule = new RouteUnreachableRule();

  private List<RootCause> judge(
      Map<String, Long> counters, Boolean defaultRoute, RouteEntry... routes) {
    var samples = new java.util.ArrayList<org.apache.avro.specific.SpecificRecord>();
    samples.add(f.protocol("app", counters));
    if (defaultRoute != null) {
      samples.add(f.routes("app", defaultRoute, List.of(routes), List.of()));
    }
    NetnsWindow app =
        Windows.of("h", samples.toArray(org.apache.avro.specific.SpecificRecord[]::new))
            .netns("app")
            .orElseThrow();
    return rule.evaluate(app);
  }

  @Test
  void datagramsToNoRouteInANamespaceWithoutADefaultRouteNameTheMissingDefault() {
    List<RootCause> causes =
        judge(
            Map.of("Ip.OutNoRoutes", 40L, "Ip.OutRequests", 1_000L, "Ip.InReceives", 900L), false);

    assertThat(causes).singleElement();
    RootCause cause = causes.get(0);
    assertThat(cause.getCause()).isEqualTo(Cause.ROUTE_UNREACHABLE);
    assertThat(cause.getLocation()).isEqualTo("no default route");
    assertThat(cause.getEvidence())
        .containsEntry("Ip.OutNoRoutes", 40L)
        .containsEntry("unroutedPackets", 40L)
        .containsEntry("defaultRouteV4", false)
        .doesNotContainKey("IpExt.InNoRoutes");
    assertThat(cause.getSummary()).contains("(Ip.OutNoRoutes 40)").contains("no default route");
    assertThat(cause.getFix().getArgv()).isEmpty();
  }

  @Test
  void withADefaultRouteAndNoClientToMatchItListsTheRefusingRoutesAsCandidates() {
    RootCause cause =
        judge(
                Map.of("IpExt.InNoRoutes", 30L, "Ip.InReceives", 1_000L),
                true,
                route("unreachable", "10.9.0.0/16"))
            .get(0);

    assertThat(cause.getLocation()).isEqualTo("routing");
    assertThat(cause.getSummary()).contains("unreachable 10.9.0.0/16");
    assertThat(cause.getConfidence()).isLessThan(0.9);
  }

  @Test
  void withoutTheRouteSourceTheCountersStillNameTheCause() {
    RootCause cause = judge(Map.of("Ip6.OutNoRoutes", 12L), null).get(0);

    assertThat(cause.getLocation()).isEqualTo("routing");
    assertThat(cause.getEvidence()).doesNotContainKey("defaultRouteV6");
  }

  @Test
  void aFewUnroutedPacketsOrATinyShareAreNotACause() {
    assertThat(judge(Map.of("Ip.OutNoRoutes", 9L), false)).isEmpty();
    assertThat(judge(Map.of("Ip.OutNoRoutes", 20L, "Ip.OutRequests", 100_000L), false)).isEmpty();
    assertThat(judge(Map.of("Ip.OutNoRoutes", 0L), false, route("blackhole", "10.0.0.0/8")))
        .isEmpty();
  }
}
