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
  private final DropStreaks streaks;

  private HostWindow(
      String host, long startMs, long endMs, HostWindowState state, DropStreaks streaks) {
    this.host = host;
    this.startMs = startMs;
    this.endMs = endMs;
    this.streaks = streaks;
    List<NetnsWindow> decoded = new ArrayList<>();
    List<HostWindowState.Entry> entries = state.entries();
    int from = 0;
    for (int i = 1; i <= entries.size(); i++) {
      if (i == entries.size() || !entries.get(i).netns().equals(entries.get(from).netns())) {
        decoded.add(new NetnsWindow(this, entries.subList(from, i)));
        from = i;
      }
    }
    this.namespaces = Collections.unmodifiableList(decoded);
  }

  /** Decodes an aggregate of the window [startMs, endMs), with no memory of earlier windows. */
  public static HostWindow decode(String host, long startMs, long endMs, HostWindowState state) {
    return new HostWindow(host, startMs, endMs, state, DropStreaks.none(startMs));
  }

  /** Decodes an aggregate of the window [startMs, endMs), continuing the drops' runs. */
  public static HostWindow decode(
      String host, long startMs, long endMs, HostWindowState state, DropStreaks streaks) {
    return new HostWindow(host, startMs, endMs, state, streaks);
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

  /** How long the host's drops have gone on, window after window. */
  public DropStreaks streaks() {
    return streaks;
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
