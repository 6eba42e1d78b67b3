package dev.culprit.processor.delta;

/** What a sample's counters were compared with, and so whether they gave deltas. */
public enum DeltaBasis {
  /** No earlier sample of this (host, netns, source): the sample only becomes the baseline. */
  FIRST,
  /** The previous sample of the same collector and boot: counters give deltas. */
  CONTINUED,
  /** Older than (or a duplicate of) the baseline: its increase is already in a later delta. */
  STALE,
  /** The collector restarted: what happened while it was down cannot be placed in a window. */
  NEW_COLLECTOR,
  /** The kernel rebooted: every counter restarted from zero. */
  NEW_BOOT,
  /** The previous sample is older than the maximum counter gap. */
  GAP;

  /** Whether counters were compared with a baseline. */
  public boolean givesDeltas() {
    return this == CONTINUED;
  }
}
