package dev.culprit.collector.platform.netlink;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the collector keeps open for one network namespace: netlink sockets and {@code net/} procfs
 * files, all bound to that namespace when they were opened, so reading it needs no fork and no path
 * lookup. Safe for concurrent use.
 */
public interface NetnsHandles {

  /**
   * Sends {@code request} over this namespace's netlink socket and hands every reply message to
   * {@code handler}.
   *
   * @return true when the kernel flagged the dump as interrupted: the caller should read again
   */
  boolean dump(DumpRequest request, NlMessages.Handler handler) throws IOException;

  /**
   * The raw reply of {@code request}: every datagram end to end, up to and including NLMSG_DONE,
   * for fixture files.
   */
  byte[] capture(DumpRequest request) throws IOException;

  /**
   * Reads files of this namespace's {@code net/} directory ({@code snmp}, {@code
   * stat/nf_conntrack}) from the start.
   *
   * @return name → content, without the names that do not exist in this namespace
   */
  Map<String, String> readNetFiles(List<String> names) throws IOException;
}
