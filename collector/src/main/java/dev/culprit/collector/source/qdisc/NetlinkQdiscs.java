package dev.culprit.collector.source.qdisc;

import dev.culprit.collector.platform.netlink.NetlinkException;
import dev.culprit.collector.platform.netlink.NlLink;
import dev.culprit.collector.platform.netlink.NlQdisc;
import dev.culprit.collector.records.QdiscStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a qdisc dump and a link dump of one namespace into the records {@code tc -s -j qdisc show}
 * would give: device names from the links, handles and parents in tc's notation, options through
 * {@link NetlinkQdiscOptions}, counters from TCA_STATS2.
 */
final class NetlinkQdiscs {

  private NetlinkQdiscs() {}

  /** The records, in dump order (tc's order). */
  static List<QdiscStats> records(List<NlQdisc> qdiscs, List<NlLink> links, TcCore core)
      throws NetlinkException {
    Map<Integer, String> names = new HashMap<>();
    for (NlLink link : links) {
      names.put(link.ifindex(), link.name());
    }
    List<QdiscStats> out = new ArrayList<>(qdiscs.size());
    for (NlQdisc q : qdiscs) {
      NlQdisc.Stats s = q.stats();
      boolean root = q.parent() == NlQdisc.TC_H_ROOT;
      out.add(
          QdiscRecords.build(
              // tc's ll_index_to_name falls back to "if%u" for an index it cannot resolve
              names.getOrDefault(q.ifindex(), "if" + Integer.toUnsignedString(q.ifindex())),
              q.kind(),
              Long.toHexString(q.handle() >>> 16) + ":",
              root || q.parent() == 0 ? null : classId(q.parent()),
              root,
              NetlinkQdiscOptions.decode(q.kind(), q.options(), core),
              s == null ? null : s.bytes(),
              s == null ? null : s.packets(),
              s == null ? null : s.drops(),
              s == null ? null : s.overlimits(),
              s == null ? null : s.requeues(),
              s == null ? null : s.backlogBytes(),
              s == null ? null : s.qlen()));
    }
    return out;
  }

  /** iproute2's sprint_tc_classid: {@code 1:10}, {@code 1:} when the minor is 0, {@code :5}. */
  static String classId(long h) {
    long major = h >>> 16;
    long minor = h & 0xffff;
    if (major == 0) {
      return ":" + Long.toHexString(minor);
    }
    if (minor == 0) {
      return Long.toHexString(major) + ":";
    }
    return Long.toHexString(major) + ":" + Long.toHexString(minor);
  }
}
