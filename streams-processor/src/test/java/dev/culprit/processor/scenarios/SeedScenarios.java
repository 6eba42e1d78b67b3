package dev.culprit.processor.scenarios;

import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** The seed's packet-loss diagnosis, as golden scenarios. */
final class SeedScenarios {

  private SeedScenarios() {}

  static List<Scenario> all() {
    return List.of(
        new Scenario(
            "seed-three-faults-at-once",
            "netem loss 30 %, random DROP in INPUT and OUTPUT and MTU 100 together give four"
                + " events, each with its own evidence; conntrack 182/262144 gives none",
            h -> {
              SeedHost seed = new SeedHost(cycle(0));
              h.pipe(array(seed.cycle(cycle(0), SeedHost.quiet())));
              h.pipe(array(seed.cycle(cycle(1), SeedHost.seed())));
              h.advanceTo(closing(1));
            }),
        new Scenario(
            "seed-faults-removed-one-by-one",
            "as the seed's engineer removes netem and the DROP rules their causes stop while the"
                + " MTU goes on; after ip link set mtu 1500 nothing is left",
            h -> {
              SeedHost seed = new SeedHost(cycle(0));
              h.pipe(array(seed.cycle(cycle(0), SeedHost.quiet())));
              h.pipe(array(seed.cycle(cycle(1), SeedHost.seed())));
              SeedHost.State s = SeedHost.seed();
              SeedHost.State fixedQdiscAndRules =
                  new SeedHost.State(
                      100,
                      s.containerRxPackets() + 40,
                      s.containerRxDropped() + 120,
                      false,
                      0,
                      0,
                      0,
                      false,
                      0,
                      0,
                      s.inputAccepted() + 60,
                      s.outputAccepted() + 50,
                      SeedHost.tcp(13, 9, 11, 9, 4));
              h.pipe(array(seed.cycle(cycle(2), fixedQdiscAndRules)));
              SeedHost.State fixedMtu =
                  new SeedHost.State(
                      1500,
                      fixedQdiscAndRules.containerRxPackets() + 300,
                      fixedQdiscAndRules.containerRxDropped(),
                      false,
                      0,
                      0,
                      0,
                      false,
                      0,
                      0,
                      fixedQdiscAndRules.inputAccepted() + 300,
                      fixedQdiscAndRules.outputAccepted() + 290,
                      SeedHost.tcp(13, 9, 11, 9, 4));
              h.pipe(array(seed.cycle(cycle(3), fixedMtu)));
              h.advanceTo(closing(3));
            }));
  }

  static SpecificRecord[] array(List<SpecificRecord> records) {
    return records.toArray(SpecificRecord[]::new);
  }
}
