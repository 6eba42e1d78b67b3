package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcNetDev;
import java.util.Locale;

/**
 * The seed's MTU fault: the server's interface MTU set far below its peer's (100 against 1500). The
 * handshake fits (SYNs are 60 bytes) but a request with data does not: the kernel drops the frame
 * on receive and counts it in the interface's {@code rx_dropped}; clients time out.
 *
 * @param mtu the server interface's MTU, 68 (the IPv4 minimum) to 1500
 */
public record MtuFault(int mtu) implements NetworkFault {

  /** The seed's server MTU. */
  public static final String DEFAULT_FAULT_MTU = "100";

  /** What veth devices get at creation, and what {@code clear} puts back. */
  public static final int DEFAULT_MTU = 1500;

  private static final int IPV4_MIN_MTU = 68;

  public MtuFault {
    if (mtu < IPV4_MIN_MTU || mtu > DEFAULT_MTU) {
      throw new LabException(
          "--mtu must be between "
              + IPV4_MIN_MTU
              + " (the IPv4 minimum) and "
              + DEFAULT_MTU
              + ", not "
              + mtu);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.MTU;
  }

  @Override
  public String describe() {
    LabTopology.Endpoint web = LabTopology.web();
    return String.format(
        Locale.ROOT,
        "MTU %d on %s in %s (its peer %s keeps %d)",
        mtu,
        web.device(),
        web.netns(),
        web.bridgePort(),
        DEFAULT_MTU);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    setMtu(lab, mtu);
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    if (NetnsList.exists(lab, LabTopology.WEB_NS)) {
      setMtu(lab, DEFAULT_MTU);
    }
  }

  @Override
  public String evidence(LabContext lab) {
    LabTopology.Endpoint web = LabTopology.web();
    return ProcNetDev.device(lab.readInNetns(web.netns(), "/proc/net/dev"), web.device())
        .map(c -> web.device() + ": " + c.rxDropped() + " frames dropped on receive")
        .orElse(web.device() + " missing");
  }

  private static void setMtu(LabContext lab, int value) {
    LabTopology.Endpoint web = LabTopology.web();
    lab.ip("-n", web.netns(), "link", "set", "dev", web.device(), "mtu", Integer.toString(value));
  }
}
