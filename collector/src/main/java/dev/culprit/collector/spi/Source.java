package dev.culprit.collector.spi;

import java.util.List;

/**
 * One kind of host state, read and turned into sample records. Sources publish raw cumulative
 * counters only; rates and reset handling live in the processor.
 *
 * <p>A source must be safe to call from the collector's worker threads; the collector runs each
 * call with its own timeout and isolates failures, so a source simply throws.
 */
public interface Source {

  /** Short name used in health records and flags: interface, protocol, conntrack, ... */
  String name();

  /** Whether {@link #collect} runs once per network namespace, or once per host (netns ""). */
  Scope scope();

  /**
   * Reads this source's state in one namespace.
   *
   * @param netns the namespace (the host's own for {@link Scope#HOST} sources)
   * @param header the header fields for every record this call produces
   * @return the records (usually one); empty when there is nothing to report this cycle
   * @throws NoDataException when what the source reads is absent here (reported as NO_DATA)
   * @throws Exception anything else (reported as ERROR with its message)
   */
  List<Sample> collect(Netns netns, Header header) throws Exception;

  /**
   * After each cycle, the namespaces it sampled: whatever a source keeps per namespace (caches,
   * counts) for any other namespace can go. Namespaces come and go, and anyone can make them: a
   * source must not keep state for one that is gone.
   */
  default void retainOnly(List<Netns> present) {}

  /** Where a source runs. */
  enum Scope {
    /** Once per network namespace. */
    PER_NETNS,
    /** Once per host. */
    HOST
  }
}
