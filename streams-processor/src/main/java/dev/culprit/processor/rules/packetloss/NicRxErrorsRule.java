package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.rules.packetloss.Deltas.value;

import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.rules.Sh;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NIC_RX_ERRORS: a NIC receives corrupted frames (CRC and frame-alignment errors): a bad cable,
 * transceiver or duplex mismatch.
 *
 * <p>Specific evidence: {@code rx_crc_errors} (frames failing their FCS), or the frame-alignment
 * errors in /proc/net/dev's frame column, which the kernel prints as the sum of length, over, CRC
 * and frame errors, so only what exceeds the first three counts. Corroborating only: {@code
 * rx_errors}, the driver's total of every bad frame (oversized frames, an MTU problem; ring
 * overflows, their own cause; and driver-specific errors nothing else names), so receive errors
 * without CRC or alignment errors never name this cause.
 */
final class NicRxErrorsRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (InterfaceStats device : Peers.nonLoopback(window)) {
      long length = value(device.getRxLengthErrors());
      long over = value(device.getRxOverErrors());
      long crc = value(device.getRxCrcErrors());
      long frameBeyond = value(device.getRxFrame()) - length - over - crc;
      long errorsBeyond =
          value(device.getRxErrors())
              - length
              - over
              - value(device.getRxFifo())
              - value(device.getRxMissedErrors());
      long corrupted = Math.max(crc, frameBeyond);
      if (corrupted <= 0) {
        continue;
      }
      long intervalMs = window.deltaMs(SampleKinds.INTERFACE);
      causes.add(
          CauseBuilder.of(window, Cause.NIC_RX_ERRORS, Layer.LINK, device.getName())
              .evidence("device", device.getName())
              .evidence("corruptedFrames", corrupted)
              .evidence("otherRxErrors", errorsBeyond > corrupted ? errorsBeyond - corrupted : null)
              .evidenceFrom(
                  device,
                  "rxErrors",
                  "rxCrcErrors",
                  "rxFrame",
                  "rxLengthErrors",
                  "rxOverErrors",
                  "rxPackets")
              .evidence("intervalMs", intervalMs)
              .confidence(crc > 0 ? 0.9 : 0.75)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "%s in %s receives corrupted frames: %d receive errors in %s that neither"
                          + " the MTU nor ring overflows explain (%s): a bad cable, transceiver or"
                          + " duplex mismatch.",
                      device.getName(),
                      window.label(),
                      corrupted,
                      Fmt.seconds(intervalMs),
                      Fmt.counters(
                          "rx_errors",
                          device.getRxErrors(),
                          "rx_crc_errors",
                          device.getRxCrcErrors(),
                          "rx_frame",
                          device.getRxFrame())))
              .fix(
                  Fixes.inNetns(
                      window,
                      List.of("ethtool", device.getName()),
                      "check speed/duplex and the err counters of ethtool -S "
                          + Sh.quote(device.getName())
                          + ", then reseat or replace the cable or transceiver"))
              .build());
    }
    return causes;
  }
}
