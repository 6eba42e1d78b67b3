package dev.culprit.lab;

import java.util.Objects;

/**
 * A host-wide kernel setting the lab changed and must put back, written to the state file before
 * the change so that {@code down} restores it even after the lab command crashed.
 *
 * @param key the sysctl name ({@code net.netfilter.nf_conntrack_max})
 * @param original the value before the lab touched it
 * @param applied the value the lab wrote; restoring only happens while the setting still has this
 *     value, so a change someone made since is never overwritten
 */
public record SavedSysctl(String key, String original, String applied) {

  public SavedSysctl {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(original, "original");
  }

  /** {@code net.netfilter.nf_conntrack_max} → {@code net/netfilter/nf_conntrack_max}. */
  public String procSysRelative() {
    return key.replace('.', '/');
  }
}
