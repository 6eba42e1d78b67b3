package dev.culprit.collector.records;

import dev.culprit.schemas.CounterTable;

/**
 * The protocol sample's form on the log, packed by the same {@link CounterTable} as the processor's
 * serde, whose reader unpacks it; WireRecordsTest reads packed records back through that serde.
 */
final class ProtocolPacking {

  private static final CounterTable TABLE =
      new CounterTable(ProtocolSample.COUNTER_VALUES_COUNTER_NAMES);

  private ProtocolPacking() {}

  /** A packed copy of {@code s}; {@code s} itself when it is packed already or has no counters. */
  static ProtocolSample pack(ProtocolSample s) {
    if (s.getCounterValues() != null || s.getCounters() == null) {
      return s;
    }
    CounterTable.Packed packed = TABLE.pack(s.getCounters());
    ProtocolSample copy = s.copy();
    copy.setCounters(packed.rest());
    copy.setCounterPresent(packed.present());
    copy.setCounterValues(packed.values());
    return copy;
  }
}
