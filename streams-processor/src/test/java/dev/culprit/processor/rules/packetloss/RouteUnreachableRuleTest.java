package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.processor.window.Windows;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.RouteEntry;
import java.util.ArrayList;
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
    return judgedTwice(samples.toArray(org.apache.avro.specific.SpecificRecord[]::new));
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

  /** Namespace app with these counters, an IPv4 default route and no IPv6 one, and addresses. */
  private NetnsWindow app(Map<String, Long> counters, String... addresses) {
    org.apache.avro.specific.SpecificRecord[] samples = {
      f.protocol("app", counters),
      f.routes("app", true, List.of(), List.of()),
      f.interfaces(
          "app",
          iface("eth0").setIfindex(2).setAddresses(new ArrayList<>(List.of(addresses))).build())
    };
    HostWindow first = Windows.of("h", samples);
    rule.evaluate(first.netns("app").orElseThrow());
    return Windows.next(first, samples).netns("app").orElseThrow();
  }

  /**
   * The rule's verdict on the second of two windows holding these samples: a volume alone is a
   * cause only once it outlasts a window (a namespace being set up counts a few in one window).
   */
  private List<RootCause> judgedTwice(org.apache.avro.specific.SpecificRecord... samples) {
    HostWindow first = Windows.of("h", samples);
    assertThat(rule.evaluate(first.netns("app").orElseThrow()))
        .as("one window of unroutable packets and no failing client")
        .isEmpty();
    return rule.evaluate(Windows.next(first, samples).netns("app").orElseThrow());
  }

  @Test
  void ipv6NoRoutesOfAnIpv4OnlyNamespaceAreAppsTryingIpv6FirstNotACause() {
    Map<String, Long> counters = Map.of("Ip6.OutNoRoutes", 50L, "Ip.OutRequests", 1_000L);

    assertThat(rule.evaluate(app(counters, "10.0.0.2/24", "fe80::2/64"))).isEmpty();
    // A global (here unique local) IPv6 address: IPv6 is in use, its failed lookups count.
    RootCause cause = rule.evaluate(app(counters, "10.0.0.2/24", "fd00::2/64")).get(0);
    assertThat(cause.getEvidence()).containsEntry("Ip6.OutNoRoutes", 50L);
    assertThat(cause.getLocation()).isEqualTo("no default route");
  }

  @Test
  void onlyAHostRouteIsDeletedAShorterOneIsLookedUpFirst() {
    NetnsWindow w = app(Map.of(), "10.0.0.2/24");
    RouteEntry host = route("blackhole", "10.1.0.7/32");
    RouteEntry block = route("blackhole", "10.1.0.0/26");

    assertThat(RouteUnreachableRule.wins(host)).isTrue();
    assertThat(RouteUnreachableRule.wins(block)).isFalse();
    assertThat(RouteUnreachableRule.wins(route("prohibit", "fd00::7/128"))).isTrue();
    assertThat(RouteUnreachableRule.fix(w, host, "10.1.0.7").getArgv())
        .containsExactly("ip", "route", "del", "blackhole", "10.1.0.7/32");
    Fix check = RouteUnreachableRule.fix(w, block, "10.1.0.7");
    assertThat(check.getArgv()).containsExactly("ip", "route", "get", "10.1.0.7");
    assertThat(check.getNote()).contains("ip route del blackhole 10.1.0.0/26");
    assertThat(RouteUnreachableRule.fix(w, route("unreachable", "fd00::/64"), "fd00::7").getArgv())
        .containsExactly("ip", "-6", "route", "get", "fd00::7");
  }
}
