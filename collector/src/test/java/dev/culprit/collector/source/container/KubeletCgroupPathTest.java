package dev.culprit.collector.source.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubeletCgroupPathTest {

  private static final String ID = "4f3c".repeat(16);
  private static final String UID = "0b1e7d2a-9c3f-4e55-8a61-2d7f3c9b1a04";

  @Test
  void readsThePodUidOfTheCgroupfsDriverForEveryQosClass() {
    assertEquals(
        Optional.of(UID), KubeletCgroupPath.podUid("/kubepods/burstable/pod" + UID + "/" + ID));
    assertEquals(
        Optional.of(UID), KubeletCgroupPath.podUid("/kubepods/besteffort/pod" + UID + "/" + ID));
    assertEquals(Optional.of(UID), KubeletCgroupPath.podUid("/kubepods/pod" + UID + "/crio-" + ID));
  }

  @Test
  void readsThePodUidOfTheSystemdDriverWithItsDashesRestored() {
    String escaped = UID.replace('-', '_');
    assertEquals(
        Optional.of(UID),
        KubeletCgroupPath.podUid(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + escaped
                + ".slice/cri-containerd-"
                + ID
                + ".scope"));
    assertEquals(
        Optional.of(UID),
        KubeletCgroupPath.podUid(
            "/kubepods.slice/kubepods-pod" + escaped + ".slice/crio-" + ID + ".scope"));
  }

  @Test
  void findsThePodUnderAPrefixSuchAsAKubeletCgroupRoot() {
    assertEquals(
        Optional.of(UID),
        KubeletCgroupPath.podUid("/culprit-k8s-1/kubepods/burstable/pod" + UID + "/" + ID));
  }

  @Test
  void namesNoPodOutsideAKubepodsHierarchy() {
    assertEquals(Optional.empty(), KubeletCgroupPath.podUid("/docker/" + ID));
    assertEquals(Optional.empty(), KubeletCgroupPath.podUid("/system.slice/pod" + UID + ".slice"));
    assertEquals(Optional.empty(), KubeletCgroupPath.podUid("/kubepods/burstable"));
    assertEquals(Optional.empty(), KubeletCgroupPath.podUid(null));
  }
}
