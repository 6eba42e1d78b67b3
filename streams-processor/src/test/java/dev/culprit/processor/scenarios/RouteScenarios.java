package dev.culprit.processor.scenarios;

import static dev.culprit.processor.scenarios.WebHost.HOST;
import static dev.culprit.processor.scenarios.WebHost.POD;

import java.util.List;
import java.util.Map;

/** REVERSE_PATH_FILTER: rp_filter dropping asymmetric traffic, and its healthy trickle. */
final class RouteScenarios {

  private RouteScenarios() {}

  static List<Scenario> all() {
    return List.of(
        rpFilter(
            "rp-filter-drops-asymmetric-traffic",
            "strict rp_filter drops 200 of 1000 received packets that came in on an interface other"
                + " than the route back to their source (as made for real in a namespace with two"
                + " veths: TcpExt.IPReversePathFilter rose, no device counted a drop)",
            200,
            1_000),
        rpFilter(
            "rp-filter-trickle-of-spoofed-packets-is-quiet",
            "an Internet-facing host's rp_filter discarding 12 spoofed packets of 100000 is the"
                + " filter doing its job",
            12,
            100_000));
  }

  private static Scenario rpFilter(String name, String why, long dropped, long received) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          h.pipe(
              f.protocol(
                  POD,
                  Map.of(
                      "TcpExt.IPReversePathFilter",
                      3L + c * dropped,
                      "Ip.InReceives",
                      50_000L + c * received)));
        });
  }
}
