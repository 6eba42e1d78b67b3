package dev.culprit.collector.spi;

import dev.culprit.collector.records.NetnsKind;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A network namespace the collector samples.
 *
 * @param label the netns field of its samples: "" for the host's own, else the named netns, the
 *     container name, or a stable id with the leading process's name
 * @param inode the namespace inode (the number in {@code net:[4026531840]}), the identity used to
 *     de-duplicate the same namespace seen through several paths
 * @param nsPath a path that opens it for {@code nsenter --net=} / {@code ip netns exec}: {@code
 *     /var/run/netns/NAME} or {@code /proc/PID/ns/net}
 * @param pid a process inside it, whose {@code /proc/PID/net/*} files show this namespace's procfs
 *     without forking; null when no process lives in it (a bare named namespace)
 * @param host true for the collector host's own namespace
 * @param kind where its label came from, which says how a fix gets into it (samples carry it); null
 *     when unknown (the label alone tells, as for samples of older collectors)
 */
public record Netns(
    String label, long inode, Path nsPath, Integer pid, boolean host, NetnsKind kind) {

  public Netns {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(nsPath, "nsPath");
  }

  /** A namespace whose kind is only known for the host's own. */
  public Netns(String label, long inode, Path nsPath, Integer pid, boolean host) {
    this(label, inode, nsPath, pid, host, host ? NetnsKind.HOST : null);
  }
}
