package dev.culprit.collector.source.container;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container recognised from its cgroup path alone, so the collector is runtime-agnostic and the
 * kernel's memcg paths join to the same container as the engine's view.
 *
 * <p>Accepted layouts (leaf component of the path, cgroup v1 and v2 alike):
 *
 * <pre>
 * /docker/&lt;id&gt;                                  Docker, cgroupfs driver
 * /system.slice/docker-&lt;id&gt;.scope                Docker, systemd driver
 * /kubepods.slice/.../cri-containerd-&lt;id&gt;.scope   containerd CRI, systemd driver
 * /kubepods/burstable/pod&lt;uid&gt;/&lt;id&gt;              CRI, cgroupfs driver (runtime unknown)
 * /kubepods.slice/.../crio-&lt;id&gt;.scope             CRI-O
 * /libpod_parent/libpod-&lt;id&gt;, libpod-&lt;id&gt;.scope   podman
 * </pre>
 *
 * @param runtime docker, containerd, cri-o, podman or cri (a kubelet cgroupfs path that does not
 *     name its runtime)
 * @param id the 64-hex container id
 */
public record ContainerRef(String runtime, String id) {

  private static final Pattern LEAF =
      Pattern.compile("^(?:(docker|cri-containerd|crio|libpod)-)?([0-9a-f]{64})(?:\\.scope)?$");

  public ContainerRef {
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(id, "id");
  }

  /**
   * The container a cgroup path belongs to, judged by its last component and its parent.
   *
   * @param cgroupPath a path relative to the hierarchy root, with or without the leading slash
   */
  public static Optional<ContainerRef> fromCgroupPath(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.isEmpty()) {
      return Optional.empty();
    }
    String path =
        cgroupPath.endsWith("/") ? cgroupPath.substring(0, cgroupPath.length() - 1) : cgroupPath;
    int slash = path.lastIndexOf('/');
    String leaf = path.substring(slash + 1);
    String parent = slash > 0 ? path.substring(0, slash) : "";
    Matcher m = LEAF.matcher(leaf);
    if (!m.matches()) {
      return Optional.empty();
    }
    String prefix = m.group(1);
    String id = m.group(2);
    if (prefix != null) {
      return Optional.of(new ContainerRef(runtimeOfPrefix(prefix), id));
    }
    // A bare id: Docker's cgroupfs driver puts it under /docker, podman under libpod_parent, the
    // kubelet's cgroupfs driver under a pod directory.
    String parentLeaf = parent.substring(parent.lastIndexOf('/') + 1);
    if (parentLeaf.equals("docker")) {
      return Optional.of(new ContainerRef("docker", id));
    }
    if (parentLeaf.equals("libpod_parent")) {
      return Optional.of(new ContainerRef("podman", id));
    }
    if (parent.contains("kubepods")) {
      return Optional.of(new ContainerRef("cri", id));
    }
    return Optional.empty();
  }

  private static String runtimeOfPrefix(String prefix) {
    return switch (prefix) {
      case "docker" -> "docker";
      case "cri-containerd" -> "containerd";
      case "crio" -> "cri-o";
      case "libpod" -> "podman";
      default -> throw new IllegalArgumentException(prefix);
    };
  }
}
