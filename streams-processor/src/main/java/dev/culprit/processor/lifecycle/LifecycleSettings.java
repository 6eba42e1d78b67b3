package dev.culprit.processor.lifecycle;

/**
 * When a cause's episode ends and how often a lasting one is recalled, counted in the host's
 * windows (event time), never wall-clock time, so a replay decides the same.
 *
 * @param endAfterWindows a cause not seen in this many consecutive windows of its host has ENDED
 * @param reminderEveryWindows a lasting cause gets an ONGOING transition each time it has been seen
 *     in another this-many windows
 */
public record LifecycleSettings(int endAfterWindows, int reminderEveryWindows) {

  public static final int DEFAULT_END_AFTER_WINDOWS = 3;
  public static final int DEFAULT_REMINDER_EVERY_WINDOWS = 6;

  public LifecycleSettings {
    if (endAfterWindows < 1) {
      throw new IllegalArgumentException(
          "endAfterWindows must be at least 1, got " + endAfterWindows);
    }
    if (reminderEveryWindows < 1) {
      throw new IllegalArgumentException(
          "reminderEveryWindows must be at least 1, got " + reminderEveryWindows);
    }
  }

  public static LifecycleSettings defaults() {
    return new LifecycleSettings(DEFAULT_END_AFTER_WINDOWS, DEFAULT_REMINDER_EVERY_WINDOWS);
  }
}
