package dev.culprit.collector.source.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names pods and containers from the kubelet's documented log directories, which every node has, so
 * the collector needs no Kubernetes API access (nor its credentials):
 *
 * <pre>
 * /var/log/pods/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/0.log
 * /var/log/containers/&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;container id&gt;.log   (symlinks)
 * </pre>
 *
 * Namespace and pod names are DNS labels/subdomains, which never contain {@code _}, so the splits
 * are unambiguous. The container name comes from {@code /var/log/containers} (it names the id);
 * without it, from the pod directory when the pod has a single container. The pod's sandbox
 * ("pause") container has no log directory, so it gets the pod but no container name.
 */
final class PodLogDirectory {

  /** A pod as its log directory names it, with its containers' names. */
  record Pod(String namespace, String name, String uid, List<String> containers) {}

  /** What the log directories say about one container cgroup. */
  record Named(String namespace, String pod, String uid, String container) {}

  private final Path podsDir;
  private final Path containersDir;

  /**
   * @param podsDir the kubelet's pod log directory ({@code /var/log/pods}); its sibling {@code
   *     containers} is read too
   */
  PodLogDirectory(Path podsDir) {
    this.podsDir = podsDir;
    this.containersDir = podsDir.resolveSibling("containers");
  }

  /** Reads both directories once: a snapshot for one collect. */
  Snapshot read() {
    return new Snapshot(
        parsePods(list(podsDir, true)), parseContainers(list(containersDir, false)));
  }

  /** One read of the log directories. */
  static final class Snapshot {
    private final Map<String, Pod> podsByUid;
    private final Map<String, String> containerById;

    Snapshot(Map<String, Pod> podsByUid, Map<String, String> containerById) {
      this.podsByUid = podsByUid;
      this.containerById = containerById;
    }

    /** The pod and container of a container cgroup, when its pod has a log directory. */
    Optional<Named> name(String podUid, String containerId) {
      Pod pod = podsByUid.get(podUid);
      if (pod == null) {
        return Optional.empty();
      }
      String container = containerId == null ? null : containerById.get(containerId);
      if (container == null && pod.containers().size() == 1 && containerId != null) {
        container = pod.containers().get(0);
      }
      return Optional.of(new Named(pod.namespace(), pod.name(), pod.uid(), container));
    }
  }

  /**
   * The pods of {@code /var/log/pods}, by UID.
   *
   * @param entries directory names mapped to their subdirectory names (the containers)
   */
  static Map<String, Pod> parsePods(Map<String, List<String>> entries) {
    Map<String, Pod> out = new HashMap<>();
    for (Map.Entry<String, List<String>> e : entries.entrySet()) {
      String[] parts = e.getKey().split("_", -1);
      if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
        continue; // not a kubelet pod directory
      }
      List<String> containers = new ArrayList<>(e.getValue());
      containers.sort(null);
      out.put(parts[2], new Pod(parts[0], parts[1], parts[2], List.copyOf(containers)));
    }
    return out;
  }

  /** Container names of {@code /var/log/containers}, by container id (64 hex). */
  static Map<String, String> parseContainers(Map<String, List<String>> entries) {
    Map<String, String> out = new HashMap<>();
    for (String file : entries.keySet()) {
      if (!file.endsWith(".log")) {
        continue;
      }
      String[] parts = file.substring(0, file.length() - ".log".length()).split("_", -1);
      if (parts.length != 3) {
        continue;
      }
      String last = parts[2];
      int dash = last.lastIndexOf('-');
      if (dash <= 0) {
        continue;
      }
      String id = last.substring(dash + 1);
      if (id.matches("[0-9a-f]{64}")) {
        out.put(id, last.substring(0, dash));
      }
    }
    return out;
  }

  /** Names in a directory (with their subdirectory names when asked); empty when it is absent. */
  private static Map<String, List<String>> list(Path dir, boolean withChildren) {
    Map<String, List<String>> out = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        List<String> children = new ArrayList<>();
        if (withChildren && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          try (DirectoryStream<Path> sub = Files.newDirectoryStream(entry)) {
            for (Path c : sub) {
              if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
                children.add(c.getFileName().toString());
              }
            }
          } catch (NoSuchFileException e) {
            continue; // the pod was deleted while we listed
          }
        }
        out.put(entry.getFileName().toString(), children);
      }
    } catch (NoSuchFileException e) {
      // Not a Kubernetes node (or the directory is not mounted in): no pod names.
    } catch (IOException e) {
      return out;
    }
    return out;
  }
}
