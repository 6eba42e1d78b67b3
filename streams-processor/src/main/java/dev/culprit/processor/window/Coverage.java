package dev.culprit.processor.window;

/**
 * What one source contributed to a namespace's window.
 *
 * @param samples samples merged
 * @param deltaMs time the counter deltas cover, ms (0: no deltas, only gauges)
 * @param firstSampleMs earliest sample time
 * @param lastSampleMs latest sample time
 */
public record Coverage(int samples, long deltaMs, long firstSampleMs, long lastSampleMs) {}
