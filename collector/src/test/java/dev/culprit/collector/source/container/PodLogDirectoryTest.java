package dev.culprit.collector.source.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodLogDirectoryTest {

  private static final String UID = "0b1e7d2a-9c3f-4e55-8a61-2d7f3c9b1a04";
  private static final String OTHER_UID = "7f00aa11-2b3c-4d5e-8f90-0123456789ab";
  private static final String TOMCAT = "a1".repeat(32);
  private static final String SIDECAR = "b2".repeat(32);
  private static final String SOLO = "c3".repeat(32);

  @TempDir Path var;

  @Test
  void namesPodNamespaceAndContainerFromTheKubeletLogLayout() throws Exception {
    Path pods = kubeletLogs();

    PodLogDirectory.Snapshot s = new PodLogDirectory(pods).read();

    assertEquals(
        Optional.of(new PodLogDirectory.Named("shop", "cart-7d9f", UID, "tomcat")),
        s.name(UID, TOMCAT));
    assertEquals("envoy", s.name(UID, SIDECAR).orElseThrow().container());
  }

  @Test
  void namesTheOnlyContainerOfAPodWithoutAContainersSymlink() throws Exception {
    Path pods = kubeletLogs();

    PodLogDirectory.Named named = new PodLogDirectory(pods).read().name(OTHER_UID, SOLO).get();

    assertEquals("kube-system", named.namespace());
    assertEquals("coredns-5d78c9869d-x2x4k", named.pod());
    assertEquals("coredns", named.container());
  }

  @Test
  void givesTheSandboxOfAManyContainerPodItsPodButNoContainerName() throws Exception {
    Path pods = kubeletLogs();

    PodLogDirectory.Named pause = new PodLogDirectory(pods).read().name(UID, "d4".repeat(32)).get();

    assertEquals("cart-7d9f", pause.pod());
    assertNull(pause.container());
  }

  @Test
  void namesNothingWhereNoLogDirectoryExists() {
    assertTrue(new PodLogDirectory(var.resolve("absent/pods")).read().name(UID, TOMCAT).isEmpty());
  }

  @Test
  void ignoresEntriesThatAreNotKubeletPodDirectories() {
    assertTrue(
        PodLogDirectory.parsePods(
                java.util.Map.of("not-a-pod", java.util.List.of(), "a_b", java.util.List.of()))
            .isEmpty());
    assertTrue(
        PodLogDirectory.parseContainers(java.util.Map.of("x_y_z-short.log", java.util.List.of()))
            .isEmpty());
  }

  /** /var/log/pods and /var/log/containers as the kubelet lays them out. */
  private Path kubeletLogs() throws Exception {
    Path pods = var.resolve("log/pods");
    Path containers = var.resolve("log/containers");
    Files.createDirectories(containers);
    Path cart = pods.resolve("shop_cart-7d9f_" + UID);
    Files.createDirectories(cart.resolve("tomcat"));
    Files.createDirectories(cart.resolve("envoy"));
    Files.writeString(cart.resolve("tomcat/0.log"), "");
    Files.createSymbolicLink(
        containers.resolve("cart-7d9f_shop_tomcat-" + TOMCAT + ".log"),
        cart.resolve("tomcat/0.log"));
    Files.createSymbolicLink(
        containers.resolve("cart-7d9f_shop_envoy-" + SIDECAR + ".log"),
        cart.resolve("envoy/0.log"));
    Files.createDirectories(
        pods.resolve("kube-system_coredns-5d78c9869d-x2x4k_" + OTHER_UID).resolve("coredns"));
    return pods;
  }
}
