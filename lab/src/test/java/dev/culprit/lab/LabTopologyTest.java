package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabTopologyTest {

  @Test
  void everyDeviceNameFitsIfnamsizAndCarriesTheProjectPrefixEvenAtMaxClients() {
    LabTopology biggest = new LabTopology(LabTopology.MAX_CLIENTS);
    Set<String> names = new HashSet<>();
    names.add(LabTopology.BRIDGE);
    for (LabTopology.Endpoint e : biggest.endpoints()) {
      names.add(e.device());
      names.add(e.bridgePort());
    }
    assertThat(names).hasSize(2 * biggest.endpoints().size() + 1); // all distinct
    assertThat(names).allSatisfy(n -> assertThat(n).startsWith("cu").hasSizeLessThanOrEqualTo(15));
  }

  @Test
  void everyNamespaceIsOneDownWouldRecogniseAsTheLabs() {
    LabTopology biggest = new LabTopology(LabTopology.MAX_CLIENTS);
    assertThat(biggest.namespaces())
        .first()
        .isEqualTo(LabTopology.LAN_NS); // created first: the veths are made from inside it
    assertThat(biggest.namespaces())
        .allSatisfy(ns -> assertThat(LabTopology.LAB_NS.matcher(ns).matches()).isTrue());
    assertThat(LabTopology.LAB_NS.matcher("culprit-client-0").matches()).isFalse();
    assertThat(LabTopology.LAB_NS.matcher("culprit-webx").matches()).isFalse();
    assertThat(LabTopology.LAB_NS.matcher("culprit-test-1").matches()).isFalse();
  }

  @Test
  void addressesAreDistinctAndInsideTheLabSubnet() {
    Set<String> addresses = new HashSet<>();
    for (LabTopology.Endpoint e : new LabTopology(LabTopology.MAX_CLIENTS).endpoints()) {
      assertThat(e.address()).startsWith("10.253.0.");
      int host = Integer.parseInt(e.address().substring("10.253.0.".length()));
      assertThat(host).isBetween(1, 254);
      assertThat(addresses.add(e.address())).isTrue();
    }
  }

  @Test
  void refusesClientCountsOutsideOneToEight() {
    assertThatThrownBy(() -> new LabTopology(0)).hasMessageContaining("between 1 and 8");
    assertThatThrownBy(() -> new LabTopology(9)).hasMessageContaining("between 1 and 8");
  }
}
