package dev.culprit.processor.rules.packetloss;

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
 * <p>rx_errors is the driver's total and also counts oversized frames (an MTU problem) and ring
 * overflows (their own causes); /proc/net/dev's frame column likewise sums length, overrun, CRC and
 * frame errors. Only what those other counters do not explain is blamed on the link here.
 */
final class NicRxErrorsRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (InterfaceStats device : window.interfaces()) {
      if (Peers.isLoopback(device)) {
        continue;
      }
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
      long corrupted = Math.max(crc, Math.max(frameBeyond, errorsBeyond));
      if (corrupted <= 0) {
        continue;
      }
      long intervalMs = window.deltaMs(SampleKinds.INTERFACE);
      causes.add(
          CauseBuilder.of(window, Cause.NIC_RX_ERRORS, Layer.LINK, device.getName())
              .evidence("device", device.getName())
              .evidence("corruptedFrames", corrupted)
              .evidence("rxErrors", device.getRxErrors())
              .evidence("rxCrcErrors", device.getRxCrcErrors())
              .evidence("rxFrame", device.getRxFrame())
              .evidence("rxLengthErrors", device.getRxLengthErrors())
              .evidence("rxOverErrors", device.getRxOverErrors())
              .evidence("rxPackets", device.getRxPackets())
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
                  Fixes.command(
                      Fixes.ofNetns(window.netns()),
                      List.of("ethtool", device.getName()),
                      "check speed/duplex and the err counters of ethtool -S "
                          + Sh.quote(device.getName())
                          + ", then reseat or replace the cable or transceiver"))
              .build());
    }
    return causes;
  }

  private static long value(Long delta) {
    return delta == null ? 0 : delta;
  }
}
