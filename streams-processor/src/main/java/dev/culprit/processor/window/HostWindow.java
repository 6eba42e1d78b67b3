package dev.culprit.processor.window;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One host over one window, decoded for the rules: every namespace of the host, so a rule judging
 * one namespace can look at the others (a veth's peer, the bridge of its subnet).
 */
public final class HostWindow {

  private final String host;
  private final long startMs;
  private final long endMs;
  private final List<NetnsWindow> namespaces;

  private HostWindow(String host, long startMs, long endMs, HostWindowState state) {
    this.host = host;
    this.startMs = startMs;
    this.endMs = endMs;
    List<NetnsWindow> decoded = new ArrayList<>();
    for (NetnsWindowState netns : state.getNamespaces()) {
      decoded.add(new NetnsWindow(this, netns));
    }
    this.namespaces = Collections.unmodifiableList(decoded);
  }

  /** Decodes an aggregate of the window [startMs, endMs). */
  public static HostWindow decode(String host, long startMs, long endMs, HostWindowState state) {
    return new HostWindow(host, startMs, endMs, state);
  }

  public String host() {
    return host;
  }

  /** Window start, epoch ms, inclusive. */
  public long startMs() {
    return startMs;
  }

  /** Window end, epoch ms, exclusive. */
  public long endMs() {
    return endMs;
  }

  /** Every namespace that reported in the window, sorted by label. */
  public List<NetnsWindow> namespaces() {
    return namespaces;
  }

  /** The namespace of that label, if it reported. */
  public Optional<NetnsWindow> netns(String label) {
    return namespaces.stream().filter(n -> n.netns().equals(label)).findFirst();
  }
}
