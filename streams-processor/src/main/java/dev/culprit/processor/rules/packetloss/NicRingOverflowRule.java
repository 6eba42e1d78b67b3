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
 * NIC_RING_OVERFLOW: the receive ring of a NIC filled before the kernel emptied it, so the NIC
 * discarded frames: rx_fifo_errors (RX-OVR), rx_over_errors or rx_missed_errors rose. Drivers count
 * the same event in one or several of these, so the loss is the largest of them, not the sum.
 *
 * <p>Specific evidence: all three counters are defined (linux/if_link.h) as the device running out
 * of receive buffer space, nothing else. Not used: {@code rx_dropped} (RX-DRP), which the stack
 * raises for unknown protocols, a full backlog and more, and /proc/net/dev's drop column, which
 * adds rx_missed_errors to it.
 */
final class NicRingOverflowRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (InterfaceStats device : Peers.nonLoopback(window)) {
      long lost =
          Math.max(
              value(device.getRxFifo()),
              Math.max(value(device.getRxOverErrors()), value(device.getRxMissedErrors())));
      if (lost <= 0) {
        continue;
      }
      long intervalMs = window.deltaMs(SampleKinds.INTERFACE);
      causes.add(
          CauseBuilder.of(window, Cause.NIC_RING_OVERFLOW, Layer.LINK, device.getName())
              .evidence("device", device.getName())
              .evidenceFrom(device, "rxFifo", "rxOverErrors", "rxMissedErrors", "rxPackets")
              .evidence("intervalMs", intervalMs)
              .confidence(0.9)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "The receive ring of %s in %s overflows: %d frames lost in %s (%s)%s.",
                      device.getName(),
                      window.label(),
                      lost,
                      Fmt.seconds(intervalMs),
                      Fmt.counters(
                          "rx_fifo_errors",
                          device.getRxFifo(),
                          "rx_over_errors",
                          device.getRxOverErrors(),
                          "rx_missed_errors",
                          device.getRxMissedErrors()),
                      device.getRxPackets() == null
                          ? ""
                          : " while " + device.getRxPackets() + " were received"))
              .fix(
                  Fixes.inNetns(
                      window,
                      List.of("ethtool", "-G", device.getName(), "rx", "4096"),
                      "up to the maximum ethtool -g "
                          + Sh.quote(device.getName())
                          + " shows; spread interrupts (RSS/RPS) if one CPU cannot keep up"))
              .build());
    }
    return causes;
  }
}
