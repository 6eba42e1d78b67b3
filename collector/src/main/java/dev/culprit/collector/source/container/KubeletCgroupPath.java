package dev.culprit.collector.source.container;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod a container's cgroup belongs to, read from the kubelet's cgroup layout alone (no
 * Kubernetes API call): the kubelet names each pod's cgroup after the pod's UID.
 *
 * <p>Accepted layouts (cgroup v1 and v2 alike; QoS class guaranteed has no QoS level):
 *
 * <pre>
 * cgroupfs driver: /kubepods/burstable/pod&lt;uid&gt;/&lt;id&gt;                 (uid with dashes)
 *                  /kubepods/pod&lt;uid&gt;/crio-&lt;id&gt;
 * systemd driver:  /kubepods.slice/kubepods-besteffort.slice/
 *                      kubepods-besteffort-pod&lt;uid&gt;.slice/cri-containerd-&lt;id&gt;.scope
 *                  (systemd escapes the uid's dashes as underscores)
 * </pre>
 *
 * The pod component may sit under a prefix (a kubelet {@code --cgroup-root}, a nested runtime).
 */
final class KubeletCgroupPath {

  /** {@code pod<uid>} (cgroupfs) or {@code kubepods[-qos]-pod<uid>.slice} (systemd). */
  private static final Pattern POD =
      Pattern.compile(
          "^(?:pod|kubepods(?:-[a-z]+)?-pod)"
              + "([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})"
              + "(?:\\.slice)?$");

  private KubeletCgroupPath() {}

  /**
   * The pod UID (with dashes, as in the API and {@code /var/log/pods}) of a cgroup path under a
   * kubelet {@code kubepods} hierarchy, or empty for any other path.
   */
  static Optional<String> podUid(String cgroupPath) {
    if (cgroupPath == null || !cgroupPath.contains("kubepods")) {
      return Optional.empty();
    }
    String[] parts = cgroupPath.split("/");
    // The innermost pod component: the container's own directory is after it.
    for (int i = parts.length - 1; i >= 0; i--) {
      Matcher m = POD.matcher(parts[i]);
      if (m.matches()) {
        return Optional.of(m.group(1).replace('_', '-'));
      }
    }
    return Optional.empty();
  }
}
