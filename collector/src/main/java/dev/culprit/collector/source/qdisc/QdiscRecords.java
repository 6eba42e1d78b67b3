package dev.culprit.collector.source.qdisc;

import dev.culprit.collector.records.QdiscStats;
import java.util.Map;

/**
 * Builds one {@link QdiscStats} from what tc's JSON or a netlink dump says, in one place, so both
 * paths publish the same record for the same qdisc.
 */
final class QdiscRecords {

  private QdiscRecords() {}

  /**
   * @param parent tc's text for the parent class (1:10), null for a root qdisc or none
   * @param options the options as tc prints them; the typed fields are derived from them
   * @param backlogBytes the queue's byte backlog; {@code qlen} is also its packet backlog
   */
  static QdiscStats build(
      String device,
      String kind,
      String handle,
      String parent,
      boolean root,
      Map<String, String> options,
      Long bytes,
      Long packets,
      Long drops,
      Long overlimits,
      Long requeues,
      Long backlogBytes,
      Long qlen) {
    QdiscStats.Builder b =
        QdiscStats.newBuilder()
            .setDevice(device)
            .setKind(kind)
            .setHandle(handle)
            .setParent(parent)
            .setRoot(root)
            .setOptions(options)
            .setBytes(bytes)
            .setPackets(packets)
            .setDrops(drops)
            .setOverlimits(overlimits)
            .setRequeues(requeues)
            .setBacklogBytes(backlogBytes)
            .setBacklogPackets(qlen)
            .setQlen(qlen);
    QdiscOptions.apply(kind, options, b);
    return b.build();
  }
}
