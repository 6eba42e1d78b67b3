package dev.culprit.processor.view;

/**
 * The key counters a host page charts, summed over the host's namespaces per minute. Each is a
 * per-minute increase (cumulative kernel counters turned into deltas), or for probes a count of the
 * minute's rounds.
 */
public enum ViewCounter {
  RX_DROPPED("RX dropped", "packets"),
  TX_DROPPED("TX dropped", "packets"),
  RX_ERRORS("RX errors", "packets"),
  QDISC_DROPS("qdisc drops", "packets"),
  FIREWALL_DROPS("firewall DROP rule hits", "packets"),
  TCP_RETRANS("Tcp.RetransSegs", "segments"),
  PROBES_SENT("probes sent", "probes"),
  PROBES_LOST("probes lost", "probes");

  private final String label;
  private final String unit;

  ViewCounter(String label, String unit) {
    this.label = label;
    this.unit = unit;
  }

  public String label() {
    return label;
  }

  public String unit() {
    return unit;
  }
}
