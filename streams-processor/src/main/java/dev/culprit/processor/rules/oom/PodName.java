package dev.culprit.processor.rules.oom;

import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.schemas.ContainerStats;

/**
 * The Kubernetes pod and container of a container sample, as collectors on a node name them from
 * the kubelet's cgroup and log layout: "pod shop/cart-7d9f, container tomcat". A container's id
 * means nothing to whoever runs the pod; its namespace, pod and container name are what they type
 * into kubectl.
 *
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param container the container's name in the pod spec, or null (the pod sandbox, or unknown)
 */
record PodName(String namespace, String pod, String container) {

  /** The pod of {@code stats}, or null when no collector named one (not a Kubernetes node). */
  static PodName of(ContainerStats stats) {
    if (stats == null || stats.getPodName() == null || stats.getPodNamespace() == null) {
      return null;
    }
    return new PodName(stats.getPodNamespace(), stats.getPodName(), stats.getContainerName());
  }

  /** "pod shop/cart-7d9f, container tomcat" (or "pod shop/cart-7d9f" without a container). */
  String phrase() {
    return "pod " + namespace + "/" + pod + (container == null ? "" : ", container " + container);
  }

  /** "shop/cart-7d9f/tomcat": the event's location. */
  String location() {
    return namespace + "/" + pod + (container == null ? "" : "/" + container);
  }

  /** Evidence {@code podNamespace}, {@code pod}, {@code podContainer}: the alert labels' source. */
  void addTo(CauseBuilder b) {
    b.evidence("podNamespace", namespace).evidence("pod", pod).evidence("podContainer", container);
  }
}
