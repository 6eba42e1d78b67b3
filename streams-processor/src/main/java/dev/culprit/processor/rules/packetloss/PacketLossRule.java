package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.RootCause;
import java.util.List;

/**
 * One packet-loss root cause: reads one namespace's window (and, through it, the other namespaces
 * of its host) and names every instance of the cause it finds, with evidence, symptoms, summary and
 * remediation. Finding nothing is the common case: no cause, no event.
 *
 * <p>A rule must rest on what the counters mean, not on one scenario: firing on a healthy namespace
 * is as wrong as missing a fault.
 */
@FunctionalInterface
public interface PacketLossRule {

  /** The causes found in this namespace's window; empty when there are none. */
  List<RootCause> evaluate(NetnsWindow window);
}
