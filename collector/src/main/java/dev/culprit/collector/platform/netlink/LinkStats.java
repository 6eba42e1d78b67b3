package dev.culprit.collector.platform.netlink;

import java.util.List;

/**
 * The fields of {@code struct rtnl_link_stats64} (include/uapi/linux/if_link.h) in order; the
 * 32-bit {@code struct rtnl_link_stats} has the same order. Kernels append fields: 23 up to 4.5,
 * {@code rx_nohandler} since 4.6, {@code rx_otherhost_dropped} since 5.19.
 */
public final class LinkStats {

  public static final int RX_PACKETS = 0;
  public static final int TX_PACKETS = 1;
  public static final int RX_BYTES = 2;
  public static final int TX_BYTES = 3;
  public static final int RX_ERRORS = 4;
  public static final int TX_ERRORS = 5;
  public static final int RX_DROPPED = 6;
  public static final int TX_DROPPED = 7;
  public static final int MULTICAST = 8;
  public static final int COLLISIONS = 9;
  public static final int RX_LENGTH_ERRORS = 10;
  public static final int RX_OVER_ERRORS = 11;
  public static final int RX_CRC_ERRORS = 12;
  public static final int RX_FRAME_ERRORS = 13;
  public static final int RX_FIFO_ERRORS = 14;
  public static final int RX_MISSED_ERRORS = 15;
  public static final int TX_ABORTED_ERRORS = 16;
  public static final int TX_CARRIER_ERRORS = 17;
  public static final int TX_FIFO_ERRORS = 18;
  public static final int TX_HEARTBEAT_ERRORS = 19;
  public static final int TX_WINDOW_ERRORS = 20;
  public static final int RX_COMPRESSED = 21;
  public static final int TX_COMPRESSED = 22;

  /** The names, as sysfs {@code statistics/} files call them. */
  public static final List<String> NAMES =
      List.of(
          "rx_packets",
          "tx_packets",
          "rx_bytes",
          "tx_bytes",
          "rx_errors",
          "tx_errors",
          "rx_dropped",
          "tx_dropped",
          "multicast",
          "collisions",
          "rx_length_errors",
          "rx_over_errors",
          "rx_crc_errors",
          "rx_frame_errors",
          "rx_fifo_errors",
          "rx_missed_errors",
          "tx_aborted_errors",
          "tx_carrier_errors",
          "tx_fifo_errors",
          "tx_heartbeat_errors",
          "tx_window_errors",
          "rx_compressed",
          "tx_compressed",
          "rx_nohandler",
          "rx_otherhost_dropped");

  private LinkStats() {}
}
